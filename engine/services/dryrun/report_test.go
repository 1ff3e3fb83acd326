package dryrun

import (
	"strings"
	"testing"
)

func TestUnifiedDiffKeepsContextAroundChanges(t *testing.T) {
	a := strings.Split("a\nb\nc\nd\ne\nf\ng\nh\ni\nj", "\n")
	b := strings.Split("a\nb\nC\nd\ne\nf\ng\nh\ni\nJ", "\n")
	got := strings.Join(unifiedDiff(a, b, 1), "|")
	if want := " b|-c|+C| d|@@| i|-j|+J"; got != want {
		t.Errorf("diff = %q, want %q", got, want)
	}
}
