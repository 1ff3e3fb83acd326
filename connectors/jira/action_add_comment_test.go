package jira

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestAddComment(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("add_comment", connectors.Values{"issue_key": " proj-24", "body": "Fixed in #1348"})
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "add_comment", out)
	reqs := f.Requests()
	want := `{"body":{"content":[{"content":[{"text":"Fixed in #1348","type":"text"}],"type":"paragraph"}],"type":"doc","version":1}}`
	if len(reqs) != 1 || reqs[0].Path != "/rest/api/3/issue/PROJ-24/comment" || connectortest.JSON(t, reqs[0].JSON()) != want {
		t.Fatalf("requests = %+v", reqs)
	}
	if out["id"] != "10101" || out["created"] != "2024-05-01T10:15:00.456+0000" {
		t.Errorf("output = %v", out)
	}
}

func TestAddCommentErrors(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("add_comment", connectors.Values{"issue_key": "PROJ-999", "body": "x"})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "Issue does not exist or you do not have permission to see it.") {
		t.Fatalf("err = %v", err)
	}
	for _, in := range []connectors.Values{{"issue_key": "proj 24", "body": "x"}, {"issue_key": "PROJ-24", "body": " "}} {
		_, err := f.Invoke("add_comment", in)
		if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "input.") {
			t.Errorf("input %v: err = %v", in, err)
		}
	}
	if n := len(f.Requests()); n != 1 {
		t.Errorf("%d requests, want only the first", n)
	}
}
