package definition

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// MaxBodyPathLength bounds a gjson path into an event body (order_key,
// correlation_key).
const MaxBodyPathLength = 256

// checkBodyPath returns what is wrong with a gjson path into an event
// body, or "". gjson itself never fails on a path, it just finds nothing,
// so a typo here would silently give every event the empty key: this
// catches what can be caught before anything runs (empty segments,
// unbalanced brackets and quotes, unknown modifiers, templates written
// where a path belongs).
func checkBodyPath(path string) string {
	switch {
	case strings.TrimSpace(path) == "":
		return "must not be blank"
	case len(path) > MaxBodyPathLength:
		return fmt.Sprintf("is %d characters long, over the limit of %d", len(path), MaxBodyPathLength)
	case strings.TrimSpace(path) != path:
		return fmt.Sprintf("%q has leading or trailing spaces", path)
	case strings.Contains(path, "{{"):
		return fmt.Sprintf("%q is a template; write a gjson path into the event body, such as \"data.contact_id\"", path)
	}
	var stack []byte // open brackets, innermost last
	inQuote := false
	segStart := 0
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '\\' {
			i++ // an escaped character is part of the key
			continue
		}
		if inQuote {
			if c == '"' {
				inQuote = false
			}
			continue
		}
		switch c {
		case '"':
			if len(stack) == 0 {
				return fmt.Sprintf("%q has a quote outside a query at character %d", path, i+1)
			}
			inQuote = true
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			want := map[byte]byte{')': '(', ']': '[', '}': '{'}[c]
			if len(stack) == 0 || stack[len(stack)-1] != want {
				return fmt.Sprintf("%q has an unbalanced %q at character %d", path, c, i+1)
			}
			stack = stack[:len(stack)-1]
		case '.', '|':
			if len(stack) > 0 {
				continue
			}
			if msg := checkSegment(path, path[segStart:i], segStart); msg != "" {
				return msg
			}
			segStart = i + 1
		}
	}
	if inQuote {
		return fmt.Sprintf("%q has an unterminated quote", path)
	}
	if len(stack) > 0 {
		return fmt.Sprintf("%q has an unclosed %q", path, stack[len(stack)-1])
	}
	return checkSegment(path, path[segStart:], segStart)
}

// checkSegment checks one top-level segment of a path starting at byte off.
func checkSegment(path, seg string, off int) string {
	if seg == "" {
		return fmt.Sprintf("%q has an empty segment at character %d", path, off+1)
	}
	if name, ok := strings.CutPrefix(seg, "@"); ok {
		name, _, _ = strings.Cut(name, ":")
		if !gjson.ModifierExists(name, nil) {
			return fmt.Sprintf("%q uses the unknown modifier @%s", path, name)
		}
	}
	return ""
}
