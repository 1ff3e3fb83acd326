// Package gitlab is the GitLab connector: a project or group webhook
// trigger (verify.go, event.go, trigger.go) and REST API v4 actions on
// issues: create one, comment on one (a note), add labels to one.
//
// GitLab runs both as gitlab.com and on customers' own servers, so the
// spec is SelfHosted: a credential's base_url (https://gitlab.example.com)
// points the actions at a self-managed instance. Calls to such a host go
// through the SSRF-guarded client, and changing the host asks for the
// credential's token again (connectors/hosts.go). Calls authenticate with
// the PRIVATE-TOKEN header (a personal, project or group access token).
// GitLab reports errors as {"message": "…"}, {"message": {field: […]}}
// or {"error": "…"} and rate-limits with 429 and Retry-After.
package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "gitlab"

// DefaultBaseURL is GitLab.com; a self-managed instance replaces it with
// the credential's base_url.
const DefaultBaseURL = "https://gitlab.com"

// CredentialAccessToken is the credential field holding the access token.
const CredentialAccessToken = "access_token"

// HeaderPrivateToken carries the access token on every API call.
const HeaderPrivateToken = "PRIVATE-TOKEN"

// projectPattern is a numeric project id or a full path such as
// group/subgroup/project.
var projectPattern = regexp.MustCompile(`^([0-9]+|[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+)$`)

// New returns the GitLab connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialAccessToken, Title: "Access token", Type: connectors.TypeString, Secret: true, Example: "glpat-…",
			Help: "A personal, project or group access token with the api scope (User settings → Access tokens, or the " +
				"project's Settings → Access tokens with role Reporter or more). Needed by every action; a credential used " +
				"only for the webhook trigger may leave it empty."},
	}
	return &connectors.Spec{
		Name:        Name,
		Title:       "GitLab",
		Description: "DevOps platform (GitLab.com or self-managed): react to project and group webhooks, create issues, comment on them and label them.",
		Icon:        "/ui/icons/gitlab.svg",
		DocsURL:     "https://docs.gitlab.com/ee/api/rest/",
		BaseURL:     DefaultBaseURL,
		// Self-managed GitLab serves the same API on the customer's host.
		SelfHosted: true,
		Credential: connectors.MergeFields(cred, TriggerCredential),
		Triggers:   []*connectors.Trigger{Trigger()},
		Actions: []*connectors.Action{
			createIssueAction(),
			addCommentAction(),
			addLabelsAction(),
		},
	}
}

// api is one action's view of the REST API.
type api struct {
	http   *connectors.Client
	prefix string // …/api/v4
	header http.Header
}

func newAPI(call *connectors.Call) (*api, error) {
	token := call.Credential.String(CredentialAccessToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by GitLab actions", CredentialAccessToken))
	}
	h := http.Header{}
	h.Set(HeaderPrivateToken, token)
	h.Set("Accept", "application/json")
	// A base_url copied from the API docs may already end in /api/v4.
	prefix := strings.TrimSuffix(strings.TrimRight(call.BaseURL, "/"), "/api/v4") + "/api/v4"
	return &api{http: call.HTTP.WithCheck(checkResponse), prefix: prefix, header: h}, nil
}

// do sends body (unless nil) as JSON to path and decodes the answer into
// out. The token rides in a header of GitLab's own, which Go would carry
// across a redirect to another host; SecretHeaders keeps it home.
func (a *api) do(ctx context.Context, method, path string, body, out any) error {
	req := &connectors.HTTPRequest{Method: method, URL: a.prefix + path, Header: a.header.Clone(), SecretHeaders: []string{HeaderPrivateToken}}
	if body != nil {
		data, err := jsonBody(body)
		if err != nil {
			return err
		}
		req.Body = data
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(ctx, req)
	if err != nil || out == nil {
		return err
	}
	return resp.Decode("GitLab", out)
}

// checkResponse reads GitLab's validation errors, {"message": {"title":
// ["can't be blank"]}}, which the shared classification leaves as the
// status text.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	if m := resp.Get("message"); m.IsObject() {
		var parts []string
		m.ForEach(func(k, v gjson.Result) bool {
			switch {
			case v.IsArray():
				for _, s := range v.Array() {
					parts = append(parts, k.String()+": "+s.String())
				}
			case v.Type == gjson.String:
				parts = append(parts, k.String()+": "+v.Str)
			}
			return true
		})
		sort.Strings(parts)
		if len(parts) > 0 {
			ce.Message = strings.Join(parts, "; ")
		}
	}
	return ce
}

// project reads the project input, a numeric id or a full path, and
// returns it as a path segment: GitLab takes a path URL-encoded, with its
// slashes as %2F.
func project(in connectors.Values) (string, error) {
	var p string
	switch v := in["project"].(type) {
	case string:
		p = strings.Trim(strings.TrimSpace(v), "/")
	default:
		id, err := connectors.NumericID(v)
		if err != nil {
			return "", connectors.InputError("project", "want a project id or a path such as my-group/my-project")
		}
		p = id
	}
	if !projectPattern.MatchString(p) {
		return "", connectors.InputError("project", fmt.Sprintf("%q is not a project id or a path such as my-group/my-project", p))
	}
	return strings.ReplaceAll(url.PathEscape(p), "/", "%2F"), nil
}

// issueIID reads the issue's project-scoped number (iid, the #42 users
// see), as a number or a string of digits.
func issueIID(in connectors.Values) (string, error) {
	n, err := connectors.NumericID(in["issue_iid"])
	switch {
	case in["issue_iid"] == nil:
		return "", connectors.InputError("issue_iid", "required")
	case errors.Is(err, connectors.ErrIDTooLarge), err != nil:
		return "", connectors.InputError("issue_iid", "want the issue's number in its project (iid), e.g. 42")
	}
	return n, nil
}

func projectField() connectors.Field {
	return connectors.Field{Name: "project", Title: "Project", Type: connectors.TypeAny, Required: true, Example: "my-group/my-project",
		Help: "A numeric project id or the project's full path; in a GitLab webhook it is {{ trigger.project.id }}."}
}

func iidField() connectors.Field {
	return connectors.Field{Name: "issue_iid", Title: "Issue number (iid)", Type: connectors.TypeAny, Required: true, Example: 42,
		Help: "The issue's number in its project (#42), not its global id; in an issue webhook it is {{ trigger.object_attributes.iid }}."}
}

// labelList reads a labels input: names without commas, since GitLab
// takes them joined by commas.
func labelList(in connectors.Values) ([]string, error) {
	raw, _ := in["labels"].([]any)
	out := make([]string, 0, len(raw))
	for i, v := range raw {
		s, ok := v.(string)
		s = strings.TrimSpace(s)
		switch {
		case !ok || s == "":
			return nil, connectors.InputError(fmt.Sprintf("labels[%d]", i), "want a non-empty string")
		case strings.Contains(s, ","):
			return nil, connectors.InputError(fmt.Sprintf("labels[%d]", i), "a GitLab label cannot contain a comma")
		}
		out = append(out, s)
	}
	return out, nil
}

// jsonBody encodes a request body; a value that cannot be encoded is the
// step's input, which no retry changes.
func jsonBody(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("encoding request body: %w", err))
	}
	return data, nil
}
