// Package pipedrive is the Pipedrive connector: a webhook trigger
// (webhooks v2 and v1; verify.go, event.go, trigger.go) and actions that
// create or update persons and deals through the API v2.
//
// Actions send the API token in the x-api-token header (Pipedrive also
// takes it as an api_token query parameter, which proxies log, so it is
// not used). Errors are {"success":false,"error","error_info"}; rate
// limits answer 429 with x-ratelimit-remaining and x-ratelimit-reset (the
// seconds until the window resets), which the shared client honours, and
// a spent daily budget shows in x-daily-requests-left.
package pipedrive

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "pipedrive"

// DefaultBaseURL is Pipedrive's API host.
const DefaultBaseURL = "https://api.pipedrive.com"

// CredentialAPIToken is a user's personal API token.
const CredentialAPIToken = "api_token"

// New returns the Pipedrive connector's spec.
func New() *connectors.Spec {
	own := []connectors.Field{{
		Name: CredentialAPIToken, Title: "API token", Type: connectors.TypeString, Secret: true, Example: "4f1c…",
		Pattern: `^[0-9a-f]{40}$`, PatternHelp: "a Pipedrive API token is 40 hexadecimal characters",
		Help: "Pipedrive → your avatar → Personal preferences → API → Your personal API token. Needed by the actions; " +
			"a credential used only for the webhook trigger may leave it empty.",
	}}
	return &connectors.Spec{
		Name:        Name,
		Title:       "Pipedrive",
		Description: "Sales CRM: start workflows when deals, persons or organizations change, and create or update persons and deals.",
		Icon:        "/ui/icons/pipedrive.svg",
		DocsURL:     "https://developers.pipedrive.com/docs/api/v1",
		BaseURL:     DefaultBaseURL,
		APIHosts:    []string{"*.pipedrive.com"},
		Credential:  connectors.MergeFields(own, TriggerCredential),
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions:     []*connectors.Action{upsertPersonAction(), upsertDealAction()},
	}
}

// api is one action's view of the API.
type api struct {
	http   *connectors.Client
	base   string
	header http.Header
}

func newAPI(call *connectors.Call) (*api, error) {
	token := call.Credential.String(CredentialAPIToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by Pipedrive actions", CredentialAPIToken))
	}
	h := http.Header{}
	h.Set("x-api-token", token)
	return &api{http: call.HTTP.WithCheck(checkResponse), base: strings.TrimRight(call.BaseURL, "/"), header: h}, nil
}

// do sends one call; the token header goes to Pipedrive's host only.
func (a *api) do(ctx context.Context, method, path string, query map[string]string, body any, out any) (*connectors.HTTPResponse, error) {
	req := &connectors.HTTPRequest{Method: method, URL: a.base + path, Header: a.header.Clone(), SecretHeaders: []string{"x-api-token"}}
	if len(query) > 0 {
		req.Query = map[string][]string{}
		for k, v := range query {
			req.Query[k] = []string{v}
		}
	}
	if body != nil {
		data, err := jsonBody(body)
		if err != nil {
			return nil, err
		}
		req.Body = data
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := a.http.Do(ctx, req)
	if err != nil {
		return resp, err
	}
	if out != nil {
		if err := resp.Decode("Pipedrive", out); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// checkResponse adds Pipedrive's error_info and, when the daily budget is
// what ran out, says so.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	if info := resp.Get("error_info").String(); info != "" && info != ce.Message {
		ce.Annotate(info)
	}
	if ce.Class == connectors.ClassRateLimited && resp.Header.Get("x-daily-requests-left") == "0" {
		ce.Annotate("the company's daily API budget is spent")
	}
	return ce
}
