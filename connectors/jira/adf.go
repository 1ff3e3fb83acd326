package jira

import "strings"

// ADF builds an Atlassian Document Format document from plain text, the
// rich-text shape REST API v3 requires for descriptions and comments:
// paragraphs are separated by blank lines, and a single line break
// inside a paragraph becomes a hardBreak. ADF forbids empty text nodes,
// so blank lines make no nodes and empty text gives an empty document.
func ADF(text string) map[string]any {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	content := []any{}
	for _, para := range strings.Split(text, "\n\n") {
		var nodes []any
		for i, line := range strings.Split(strings.Trim(para, "\n"), "\n") {
			if i > 0 && len(nodes) > 0 {
				nodes = append(nodes, map[string]any{"type": "hardBreak"})
			}
			if line != "" {
				nodes = append(nodes, map[string]any{"type": "text", "text": line})
			}
		}
		if len(nodes) > 0 {
			content = append(content, map[string]any{"type": "paragraph", "content": nodes})
		}
	}
	return map[string]any{"type": "doc", "version": 1, "content": content}
}
