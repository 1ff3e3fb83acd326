package dryrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// diffContext is how many unchanged lines a diff shows around a change.
const diffContext = 3

// FormatCase writes a case's outcome for a person: one line
//
//	PASS  WORKFLOW › CASE  NAME
//
// and, when it failed, the fixture's file, each unmet expectation (its
// path and message, then the expected and actual values: one line each,
// or a unified diff of their indented JSON when either spans lines), the
// route that actually ran with each step's status and error, and the
// run's own status. `hookflow test -f` prints this; tests pin its text.
func FormatCase(w io.Writer, workflow string, c CaseResult) {
	base := c.File
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	base = strings.TrimSuffix(base, ".json")
	title := workflow + " › " + base
	if c.Name != "" && c.Name != base {
		title += "  " + c.Name
	}
	switch {
	case c.Err != nil:
		fmt.Fprintf(w, "ERROR %s\n", title)
		fmt.Fprintf(w, "      %s\n", c.Err)
		return
	case c.Passed():
		fmt.Fprintf(w, "PASS  %s\n", title)
		return
	}
	fmt.Fprintf(w, "FAIL  %s\n", title)
	fmt.Fprintf(w, "      %s\n", c.File)
	for _, f := range c.Failures {
		writeFailure(w, "      ", f)
	}
	if c.Result != nil {
		writeRoute(w, "      ", *c.Result)
	}
}

func writeFailure(w io.Writer, indent string, f Failure) {
	fmt.Fprintf(w, "%s✗ %s: %s\n", indent, f.Path, f.Message)
	if f.Expected == nil && f.Got == nil {
		return
	}
	want, got := pretty(f.Expected), pretty(f.Got)
	in := indent + "    "
	if f.Expected == nil || f.Got == nil || !strings.Contains(want, "\n") && !strings.Contains(got, "\n") {
		// One side absent, or both short: nothing to diff.
		want = strings.ReplaceAll(want, "\n", "\n"+in+"          ")
		got = strings.ReplaceAll(got, "\n", "\n"+in+"          ")
		fmt.Fprintf(w, "%sexpected: %s\n", in, want)
		fmt.Fprintf(w, "%sgot:      %s\n", in, got)
		return
	}
	fmt.Fprintf(w, "%s--- expected\n%s+++ got\n", in, in)
	for _, l := range unifiedDiff(strings.Split(want, "\n"), strings.Split(got, "\n"), diffContext) {
		fmt.Fprintf(w, "%s%s\n", in, l)
	}
}

// pretty indents a JSON value; an absent one reads "(nothing)".
func pretty(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "(nothing)"
	}
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

// writeRoute lists the steps that ran, in order, with their status and
// error, then the run's status.
func writeRoute(w io.Writer, indent string, res Result) {
	fmt.Fprintf(w, "%sroute that ran:\n", indent)
	width := 0
	for _, s := range res.Steps {
		width = max(width, len(s.Path))
	}
	if len(res.Steps) == 0 {
		fmt.Fprintf(w, "%s  (no step ran)\n", indent)
	}
	for _, s := range res.Steps {
		line := fmt.Sprintf("%s  %-*s  %s", indent, width, s.Path, s.Status)
		if s.Attempts > 1 {
			line += fmt.Sprintf(" after %d attempts", s.Attempts)
		}
		if s.Mocked {
			line += " (mocked)"
		}
		if s.Error != "" {
			line += ": " + s.Error
		}
		fmt.Fprintln(w, line)
	}
	line := fmt.Sprintf("%srun: %s", indent, res.Status)
	if res.Error != "" {
		line += ": " + res.Error
	}
	fmt.Fprintln(w, line)
}

// FormatSummary writes the closing line of a test run.
func FormatSummary(w io.Writer, workflows int, cases []CaseResult) {
	failed := 0
	for _, c := range cases {
		if !c.Passed() {
			failed++
		}
	}
	fmt.Fprintf(w, "\n%d %s, %d %s: %d passed, %d failed\n", workflows, plural(workflows, "workflow"), len(cases), plural(len(cases), "case"),
		len(cases)-failed, failed)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// unifiedDiff returns the lines of a against b as " x", "-x" and "+x",
// keeping context unchanged lines around each change and "@@" between
// the pieces it leaves out. It is a longest-common-subsequence diff:
// the values are small JSON documents.
func unifiedDiff(a, b []string, context int) []string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, " "+a[i])
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, "-"+a[i])
			i++
		default:
			ops = append(ops, "+"+b[j])
			j++
		}
	}
	keep := make([]bool, len(ops))
	for k, op := range ops {
		if op[0] != ' ' {
			for d := max(0, k-context); d <= min(len(ops)-1, k+context); d++ {
				keep[d] = true
			}
		}
	}
	var out []string
	skipped := false
	for k, op := range ops {
		if !keep[k] {
			skipped = true
			continue
		}
		if skipped && len(out) > 0 {
			out = append(out, "@@")
		}
		skipped = false
		out = append(out, op)
	}
	return out
}
