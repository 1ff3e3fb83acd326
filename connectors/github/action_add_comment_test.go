package github

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestAddComment(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("add_comment", connectors.Values{"repository": "octocat/hello-world", "issue_number": "1347", "body": "Tracked as PROJ-7."})
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "add_comment", out)
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/repos/octocat/hello-world/issues/1347/comments" || reqs[0].JSON()["body"] != "Tracked as PROJ-7." {
		t.Fatalf("requests = %+v", reqs)
	}
	if out["id"] != float64(1001) || out["body"] != "Tracked as PROJ-7." || !strings.HasSuffix(out["html_url"].(string), "#issuecomment-1001") {
		t.Errorf("output = %v", out)
	}
}

func TestAddCommentBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"number not numeric", connectors.Values{"repository": "octocat/hello-world", "issue_number": "#12", "body": "x"}, "input.issue_number: want a positive"},
		{"number negative", connectors.Values{"repository": "octocat/hello-world", "issue_number": -3, "body": "x"}, "input.issue_number: want a positive"},
		{"blank body", connectors.Values{"repository": "octocat/hello-world", "issue_number": 1, "body": " \n"}, "input.body: empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("add_comment", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.want)
			}
			if len(f.Requests()) != 0 {
				t.Error("GitHub was called with bad input")
			}
		})
	}
}

func TestAddCommentUnknownIssue(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("add_comment", connectors.Values{"repository": "octocat/hello-world", "issue_number": 9, "body": "x"})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "commenting on octocat/hello-world#9") {
		t.Fatalf("err = %v", err)
	}
}
