// Package jira is the Jira Cloud connector: a webhook trigger for admin
// webhooks registered with a secret (verify.go, event.go, trigger.go) and
// REST API v3 actions that create issues, comment on them and move them
// through their workflow.
//
// Each Jira Cloud site is its own API host, https://<site>.atlassian.net,
// named by the credential's site (Spec.BaseURLFrom), so changing the site
// asks for the API token again. Calls authenticate with Basic auth,
// email:api_token. Jira reports errors as {"errorMessages": […],
// "errors": {field: message}}, rate-limits with 429 and Retry-After, and
// takes rich text as Atlassian Document Format (adf.go).
package jira

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "jira"

// Credential field names.
const (
	CredentialSite     = "site"
	CredentialEmail    = "email"
	CredentialAPIToken = "api_token"
)

// issueKeyPattern is an issue key (PROJ-123) or a numeric issue id.
var issueKeyPattern = regexp.MustCompile(`^([A-Z][A-Z0-9_]+-[0-9]+|[0-9]+)$`)

// New returns the Jira connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialSite, Title: "Site", Type: connectors.TypeString, Example: "acme",
			Pattern: `^[A-Za-z0-9][A-Za-z0-9-]*(\.atlassian\.net)?$`, PatternHelp: "the site's atlassian.net name, e.g. acme or acme.atlassian.net",
			Help: "The name in your Jira address: acme for https://acme.atlassian.net. Needed by every action."},
		{Name: CredentialEmail, Title: "Account email", Type: connectors.TypeString, Example: "ops@example.com",
			Pattern: `^[^@\s]+@[^@\s]+$`, PatternHelp: "an email address",
			Help: "The email of the Atlassian account the API token belongs to. Needed by every action."},
		{Name: CredentialAPIToken, Title: "API token", Type: connectors.TypeString, Secret: true,
			Help: "id.atlassian.com → Security → Create and manage API tokens → Create API token. Needed by every action; " +
				"a credential used only for the webhook trigger may leave it, the site and the email empty."},
	}
	return &connectors.Spec{
		Name:        Name,
		Title:       "Jira",
		Description: "Issue tracking (Jira Cloud): react to issue and comment webhooks, create issues, comment on them and transition them.",
		Icon:        "/ui/icons/jira.svg",
		DocsURL:     "https://developer.atlassian.com/cloud/jira/platform/rest/v3/",
		Credential:  connectors.MergeFields(cred, TriggerCredential),
		// Each site has its own host, named by the credential's site.
		APIHosts:    []string{"*.atlassian.net"},
		BaseURLFrom: siteBaseURL,
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions: []*connectors.Action{
			createIssueAction(),
			addCommentAction(),
			transitionIssueAction(),
		},
	}
}

// siteBaseURL is https://<site>.atlassian.net. The site field's pattern
// keeps it one DNS label, so the host is always under atlassian.net.
func siteBaseURL(cred connectors.Values) (string, error) {
	site := cred.String(CredentialSite)
	if site == "" {
		return "", fmt.Errorf("credential.%s: required by Jira actions", CredentialSite)
	}
	return "https://" + strings.TrimSuffix(strings.ToLower(site), ".atlassian.net") + ".atlassian.net", nil
}

// api is one action's view of the REST API.
type api struct {
	http   *connectors.Client
	base   string
	header http.Header
}

func newAPI(call *connectors.Call) (*api, error) {
	email, token := call.Credential.String(CredentialEmail), call.Credential.String(CredentialAPIToken)
	switch {
	case email == "":
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by Jira actions", CredentialEmail))
	case token == "":
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by Jira actions", CredentialAPIToken))
	}
	h := http.Header{}
	req := &http.Request{Header: h}
	req.SetBasicAuth(email, token)
	return &api{http: call.HTTP.WithCheck(checkResponse), base: strings.TrimRight(call.BaseURL, "/"), header: h}, nil
}

// do sends body (unless nil) as JSON and decodes the answer into out.
func (a *api) do(ctx context.Context, method, path string, body, out any) error {
	_, err := a.http.DoJSON(ctx, method, a.base+"/rest/api/3"+path, a.header, body, out)
	return err
}

// checkResponse puts Jira's own words in the message: errorMessages
// (["Issue does not exist or you do not have permission to see it."])
// and the field errors ({"summary": "You must specify a summary of the
// issue."}), which the shared classification does not know.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	var parts []string
	for _, m := range resp.Get("errorMessages").Array() {
		if s := strings.TrimSpace(m.String()); s != "" {
			parts = append(parts, s)
		}
	}
	resp.Get("errors").ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.String && v.Str != "" {
			parts = append(parts, k.String()+": "+v.Str)
		}
		return true
	})
	if len(parts) > 0 {
		ce.Message = strings.Join(parts, "; ")
	}
	return ce
}

// issueKey reads the issue_key input: a key such as PROJ-123 or an id.
// Jira keys are upper case; a key typed in lower case is taken as meant.
func issueKey(in connectors.Values) (string, error) {
	key := strings.ToUpper(strings.TrimSpace(in.String("issue_key")))
	if !issueKeyPattern.MatchString(key) {
		return "", connectors.InputError("issue_key", fmt.Sprintf("%q is not an issue key such as PROJ-123 or a numeric issue id", key))
	}
	return key, nil
}

func issueKeyField() connectors.Field {
	return connectors.Field{Name: "issue_key", Title: "Issue key", Type: connectors.TypeString, Required: true, Example: "PROJ-123",
		Help: "The issue's key (PROJ-123) or numeric id; in a Jira webhook it is {{ trigger.issue.key }}."}
}
