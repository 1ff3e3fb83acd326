package jira

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestCreateIssue(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("create_issue", connectors.Values{"project_key": "PROJ", "summary": "Checkout fails", "issue_type": "Bug",
		"description": "From GitHub.\n\nSee #1347", "labels": []any{"github"}, "priority": "High", "assignee_account_id": "5b10ac",
		"fields": map[string]any{"customfield_10010": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "create_issue", out)
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/rest/api/3/issue" {
		t.Fatalf("requests = %+v", reqs)
	}
	want := `{"fields":{"assignee":{"accountId":"5b10ac"},"customfield_10010":"x","description":{"content":[` +
		`{"content":[{"text":"From GitHub.","type":"text"}],"type":"paragraph"},{"content":[{"text":"See #1347","type":"text"}],"type":"paragraph"}],` +
		`"type":"doc","version":1},"issuetype":{"name":"Bug"},"labels":["github"],"priority":{"name":"High"},"project":{"key":"PROJ"},"summary":"Checkout fails"}}`
	if got := connectortest.JSON(t, reqs[0].JSON()); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	if out["key"] != "PROJ-25" || out["id"] != "10043" || out["url"] != f.URL+"/browse/PROJ-25" {
		t.Errorf("output = %v", out)
	}
	if !reflect.DeepEqual(reqs[0].Header.Values("Accept"), []string{"application/json"}) {
		t.Errorf("Accept = %v", reqs[0].Header.Values("Accept"))
	}
}

func TestCreateIssueDefaultsAndRefusals(t *testing.T) {
	f := newFake(t)
	if _, err := f.Invoke("create_issue", connectors.Values{"project_key": "PROJ", "summary": "x"}); err != nil {
		t.Fatal(err)
	}
	if got := f.Requests()[0].JSON()["fields"].(map[string]any)["issuetype"]; !reflect.DeepEqual(got, map[string]any{"name": "Task"}) {
		t.Errorf("issuetype = %v", got)
	}
	_, err := f.Invoke("create_issue", connectors.Values{"project_key": "NOPE", "summary": "x"})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "project: valid project is required") {
		t.Fatalf("err = %v", err)
	}
}

func TestCreateIssueBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"lower-case project", connectors.Values{"project_key": "proj", "summary": "x"}, "input.project_key"},
		{"two-line summary", connectors.Values{"project_key": "PROJ", "summary": "a\nb"}, "input.summary: must be one line"},
		{"long summary", connectors.Values{"project_key": "PROJ", "summary": strings.Repeat("x", 256)}, "input.summary: longer than 255"},
		{"label with space", connectors.Values{"project_key": "PROJ", "summary": "x", "labels": []any{"two words"}}, "input.labels[0]: \"two words\": a Jira label cannot contain spaces"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("create_issue", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.want)
			}
			if len(f.Requests()) != 0 {
				t.Error("Jira was called with bad input")
			}
		})
	}
}
