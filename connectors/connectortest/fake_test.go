package connectortest_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// echoSpec is a connector whose one action posts its input as JSON to
// /echo with the credential's key and returns what the provider answers.
func echoSpec(selfHosted bool) *connectors.Spec {
	return &connectors.Spec{
		Name: "echo", Title: "Echo", BaseURL: "https://api.echo.example", SelfHosted: selfHosted,
		Credential: []connectors.Field{{Name: "key", Type: connectors.TypeString, Secret: true}},
		Actions: []*connectors.Action{{
			Name: "say", Title: "Say",
			Input: []connectors.Field{{Name: "text", Type: connectors.TypeString, Required: true}},
			Run: func(ctx context.Context, call *connectors.Call) (any, error) {
				var out map[string]any
				h := http.Header{"Authorization": {"Bearer " + call.Credential.String("key")}, "Idempotency-Key": {call.IdempotencyKey}}
				_, err := call.HTTP.DoJSON(ctx, http.MethodPost, call.BaseURL+"/echo", h, map[string]any(call.Input), &out)
				return out, err
			},
		}},
	}
}

// echo answers with the request body, which it reads after the fake
// recorded it.
func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func TestFake(t *testing.T) {
	tests := []struct {
		name       string
		selfHosted bool
	}{
		{name: "base_url_override", selfHosted: false},
		{name: "self_hosted_through_the_credential", selfHosted: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := connectortest.NewFake(t, echoSpec(tc.selfHosted), connectors.Values{"key": "k1"}, echo)
			out, err := f.InvokeJSON("say", connectors.Values{"text": "hi"})
			if err != nil {
				t.Fatal(err)
			}
			if out["text"] != "hi" {
				t.Errorf("output = %v, want the echoed input", out)
			}
			if _, err := f.Call(connectors.Invocation{Action: "say", StepID: "other", Input: connectors.Values{"text": "yo"},
				Credential: connectors.Values{"key": "k2"}}); err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 2 {
				t.Fatalf("recorded %d requests, want 2", len(reqs))
			}
			first, second := reqs[0], reqs[1]
			if first.Method != http.MethodPost || first.Path != "/echo" || first.JSON()["text"] != "hi" {
				t.Errorf("first request = %s %s %s", first.Method, first.Path, first.Body)
			}
			if got, want := first.Header.Get("Idempotency-Key"), connectors.IdempotencyKey("run-1", "say"); got != want {
				t.Errorf("Idempotency-Key = %q, want run-1/say's %q", got, want)
			}
			if got, want := second.Header.Get("Idempotency-Key"), connectors.IdempotencyKey("run-1", "other"); got != want {
				t.Errorf("Idempotency-Key = %q, want run-1/other's %q", got, want)
			}
			if first.Header.Get("Authorization") != "Bearer k1" || second.Header.Get("Authorization") != "Bearer k2" {
				t.Errorf("credentials = %q, %q: want the fake's, then the invocation's", first.Header.Get("Authorization"), second.Header.Get("Authorization"))
			}
		})
	}
}

func TestReceivedDecoders(t *testing.T) {
	r := connectortest.Received{Header: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, Body: []byte("To=%2B1&Body=hi")}
	if user, pass, ok := r.BasicAuth(); !ok || user != "user" || pass != "pass" {
		t.Errorf("BasicAuth = %q %q %v", user, pass, ok)
	}
	if f := r.Form(); f.Get("To") != "+1" || f.Get("Body") != "hi" {
		t.Errorf("Form = %v", f)
	}
	if r.JSON() != nil {
		t.Errorf("JSON of a form body = %v, want nil", r.JSON())
	}
	if got := connectortest.JSON(t, struct {
		B int `json:"b"`
		A int `json:"a"`
	}{2, 1}); got != `{"a":1,"b":2}` {
		t.Errorf("JSON = %s, want sorted keys", got)
	}
}
