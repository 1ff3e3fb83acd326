package jira

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestADF(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", `{"content":[],"type":"doc","version":1}`},
		{"one line", "Hello", `{"content":[{"content":[{"text":"Hello","type":"text"}],"type":"paragraph"}],"type":"doc","version":1}`},
		{"line break and paragraphs", "a\r\nb\n\n\n\nc\n",
			`{"content":[{"content":[{"text":"a","type":"text"},{"type":"hardBreak"},{"text":"b","type":"text"}],"type":"paragraph"},` +
				`{"content":[{"text":"c","type":"text"}],"type":"paragraph"}],"type":"doc","version":1}`},
		{"blank line inside a paragraph makes no empty text", "a\n\n\nb", `{"content":[{"content":[{"text":"a","type":"text"}],"type":"paragraph"},` +
			`{"content":[{"text":"b","type":"text"}],"type":"paragraph"}],"type":"doc","version":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := connectortest.JSON(t, ADF(tc.text)); got != tc.want {
				t.Fatalf("ADF(%q) =\n%s\nwant\n%s", tc.text, got, tc.want)
			}
		})
	}
}
