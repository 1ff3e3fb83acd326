// Package github is the GitHub connector: a repository/organization webhook
// trigger (verify.go, event.go, trigger.go) and REST API v3 actions on
// issues: create one, comment on one, add labels to one.
//
// Actions call https://api.github.com, or a GitHub Enterprise Server's
// https://<host>/api/v3 named by the credential's base_url (the spec is
// SelfHosted), with a token (a fine-grained or
// classic personal access token, or a GitHub App installation token) as
// "Authorization: Bearer", Accept: application/vnd.github+json and a
// pinned X-GitHub-Api-Version, through the shared connectors.Client.
// GitHub reports errors as {"message", "documentation_url", "errors": […]}
// and rate-limits in two ways: the primary limit answers 403 or 429 with
// x-ratelimit-remaining: 0 and x-ratelimit-reset (a Unix time), a
// secondary limit answers 403 or 429 with Retry-After. Both are rate
// limits here, not permanent refusals (checkResponse).
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "github"

// DefaultBaseURL is GitHub's REST API host.
const DefaultBaseURL = "https://api.github.com"

// APIVersion is the REST API version every call pins, so a change of
// GitHub's default version cannot change what an action sends or reads.
const APIVersion = "2022-11-28"

// CredentialToken is the credential field holding the API token.
const CredentialToken = "token"

// secondaryLimitWait is GitHub's documented wait for a secondary rate
// limit that names none: "wait for at least one minute".
const secondaryLimitWait = time.Minute

// repoPattern is "owner/name" as GitHub allows them.
var repoPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+$`)

// New returns the GitHub connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialToken, Title: "Access token", Type: connectors.TypeString, Secret: true,
			Example: "github_pat_…", Pattern: `^(gh[pousr]_[A-Za-z0-9_]+|github_pat_[A-Za-z0-9_]+)$`,
			PatternHelp: "a GitHub token starts with github_pat_ (fine-grained), ghp_ (classic), ghs_ (GitHub App installation) or gho_ (OAuth)",
			Help: "Settings → Developer settings → Personal access tokens → Fine-grained tokens → Generate new token, " +
				"with the repository permission \"Issues: Read and write\". Needed by every action; a credential used " +
				"only for the webhook trigger may leave it empty."},
	}
	return &connectors.Spec{
		Name:        Name,
		Title:       "GitHub",
		Description: "Developer platform (github.com or GitHub Enterprise Server): react to repository webhooks (issues, pull requests, pushes…), create issues, comment on them and label them.",
		Icon:        "/ui/icons/github.svg",
		DocsURL:     "https://docs.github.com/en/rest",
		BaseURL:     DefaultBaseURL,
		// GitHub Enterprise Server serves the same REST API at
		// https://<host>/api/v3 on the customer's own host.
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
	base   string
	header http.Header
}

func newAPI(call *connectors.Call) (*api, error) {
	token := call.Credential.String(CredentialToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by GitHub actions", CredentialToken))
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	h.Set("Accept", "application/vnd.github+json")
	h.Set("X-GitHub-Api-Version", APIVersion)
	return &api{http: call.HTTP.WithCheck(checkResponse), base: strings.TrimRight(call.BaseURL, "/"), header: h}, nil
}

// post sends body as JSON to path and decodes the response into out.
func (a *api) post(ctx context.Context, path string, body, out any) error {
	_, err := a.http.DoJSON(ctx, http.MethodPost, a.base+path, a.header, body, out)
	return err
}

// checkResponse classifies GitHub's errors. A 403 is GitHub's answer both
// for a missing permission (permanent) and for a spent rate limit; the
// headers tell them apart: x-ratelimit-remaining: 0 waits until
// x-ratelimit-reset, a Retry-After (secondary limit) waits that long, and
// a 403 whose message says "secondary rate limit" without either waits a
// minute, as GitHub documents. 422 validation details ("errors": [{
// "resource","field","code"}]) are added to the message.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	if resp.Status == http.StatusForbidden || resp.Status == http.StatusTooManyRequests {
		wait, hasWait := connectors.RetryAfter(resp.Header, resp.Body, time.Now())
		spent := strings.TrimSpace(resp.Header.Get("X-RateLimit-Remaining")) == "0"
		says := strings.Contains(strings.ToLower(ce.Message), "rate limit")
		switch {
		case hasWait && (spent || resp.Header.Get("Retry-After") != ""):
			ce.Class, ce.RetryAfter = connectors.ClassRateLimited, wait
		case spent || says || resp.Status == http.StatusTooManyRequests:
			ce.Class, ce.RetryAfter = connectors.ClassRateLimited, secondaryLimitWait
		}
	}
	ce.Annotate(validationDetails(resp))
	return ce
}

// validationDetails renders a 422's errors array: "Issue.title missing_field".
func validationDetails(resp *connectors.HTTPResponse) string {
	var parts []string
	resp.Get("errors").ForEach(func(_, e gjson.Result) bool {
		if !e.IsObject() {
			return true
		}
		if m := e.Get("message").String(); m != "" {
			parts = append(parts, m)
			return true
		}
		p := strings.Trim(e.Get("resource").String()+"."+e.Get("field").String(), ".")
		if c := e.Get("code").String(); c != "" {
			p = strings.TrimSpace(p + " " + c)
		}
		if p != "" {
			parts = append(parts, p)
		}
		return true
	})
	return strings.Join(parts, "; ")
}

// repository reads the "owner/name" input.
func repository(in connectors.Values) (string, error) {
	repo := strings.TrimSpace(in.String("repository"))
	if !repoPattern.MatchString(repo) {
		return "", connectors.InputError("repository", fmt.Sprintf("%q is not owner/name, e.g. octocat/hello-world", repo))
	}
	return repo, nil
}

// issueNumber reads an issue or pull request number given as a number or a
// string of digits (a typed template such as {{ trigger.issue.number }}).
func issueNumber(in connectors.Values) (string, error) {
	n, err := connectors.NumericID(in["issue_number"])
	switch {
	case in["issue_number"] == nil:
		return "", connectors.InputError("issue_number", "required")
	case errors.Is(err, connectors.ErrIDTooLarge), err != nil:
		return "", connectors.InputError("issue_number", "want a positive issue or pull request number, e.g. 1347")
	}
	return n, nil
}

// repoField and numberField are the inputs every issue action shares.
func repoField() connectors.Field {
	return connectors.Field{Name: "repository", Title: "Repository", Type: connectors.TypeString, Required: true,
		Example: "octocat/hello-world", Pattern: repoPattern.String(),
		PatternHelp: "owner/name, e.g. octocat/hello-world",
		Help:        "owner/name; in a GitHub webhook it is {{ trigger.repository.full_name }}."}
}

func numberField() connectors.Field {
	return connectors.Field{Name: "issue_number", Title: "Issue or pull request number", Type: connectors.TypeAny, Required: true,
		Example: 1347, Help: "A number or a string of digits; in an issues webhook it is {{ trigger.issue.number }}."}
}

// stringList reads an optional array input of non-empty strings.
func stringList(in connectors.Values, name string) ([]string, error) {
	raw, _ := in[name].([]any)
	out := make([]string, 0, len(raw))
	for i, v := range raw {
		s, ok := v.(string)
		s = strings.TrimSpace(s)
		switch {
		case !ok:
			return nil, connectors.InputError(fmt.Sprintf("%s[%d]", name, i), "want a string")
		case s == "":
			return nil, connectors.InputError(fmt.Sprintf("%s[%d]", name, i), "empty")
		}
		out = append(out, s)
	}
	return out, nil
}
