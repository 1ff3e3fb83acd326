package connectors_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hookflow/hookflow/connectors"
)

// ExampleRegistry_Register shows a connector author adding a provider: the
// spec is data (credential and input fields drive validation, the catalog
// and the UI forms), and the action calls the provider through the shared
// client with the base URL the registry resolved.
func ExampleRegistry_Register() {
	// A fake of the provider's API, standing in for https://api.notes.example.
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer nk_test_123" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"invalid API key"}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"note_1","text":"hello"}`)
	}))
	defer fake.Close()

	notes := &connectors.Spec{
		Name:    "notes",
		Title:   "Notes",
		BaseURL: "https://api.notes.example",
		Credential: []connectors.Field{{
			Name: "api_key", Title: "API key", Type: connectors.TypeString, Required: true, Secret: true,
			Pattern: `^nk_`, PatternHelp: "Notes API keys start with nk_",
		}},
		Actions: []*connectors.Action{{
			Name:  "create_note",
			Title: "Create a note",
			Input: []connectors.Field{{Name: "text", Type: connectors.TypeString, Required: true}},
			Run: func(ctx context.Context, call *connectors.Call) (any, error) {
				var note map[string]any
				_, err := call.HTTP.DoJSON(ctx, http.MethodPost, call.BaseURL+"/v1/notes",
					http.Header{
						"Authorization":   {"Bearer " + call.Credential.String("api_key")},
						"Idempotency-Key": {call.IdempotencyKey},
					},
					map[string]any{"text": call.Input.String("text")}, &note)
				if err != nil {
					return nil, fmt.Errorf("creating note: %w", err)
				}
				return note, nil
			},
		}},
	}

	// In hookflow this is one line in connectors/all. The base URL override
	// is what an admin sets with --connector-base-urls; tests use it to
	// point the connector at the fake.
	reg, _ := connectors.NewRegistryConfig(connectors.RegistryConfig{BaseURLs: map[string]string{"notes": fake.URL}})
	if err := reg.Register(notes); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reg.Register(notes)) // a duplicate name fails at start-up

	call := connectors.Invocation{Connector: "notes", Action: "create_note", RunID: "run-1", StepID: "save",
		Input:      connectors.Values{"text": "hello"},
		Credential: connectors.Values{"api_key": "nk_test_123"}}
	out, err := reg.Invoke(context.Background(), call)
	fmt.Println(out, err)

	call.Input = connectors.Values{"txt": "hello"}
	_, err = reg.Invoke(context.Background(), call)
	fmt.Println(err)

	call.Input = connectors.Values{"text": "hello"}
	call.Credential = connectors.Values{"api_key": "sk_wrong"}
	_, err = reg.Invoke(context.Background(), call)
	fmt.Println(err)

	// A credential's base_url may only name the provider's own API host, so
	// whoever can edit a credential cannot send its key elsewhere.
	direct, _ := connectors.NewRegistryConfig(connectors.RegistryConfig{})
	direct.MustRegister(notes)
	call.Credential = connectors.Values{"api_key": "nk_test_123", "base_url": "https://collector.example"}
	_, err = direct.Invoke(context.Background(), call)
	fmt.Println(err)
	// Output:
	// registering connector "notes": a connector with that name is already registered
	// map[id:note_1 text:hello] <nil>
	// permanent: validating notes.create_note: input.text: required; input.txt: unknown field (did you mean "text"?)
	// permanent: validating notes credential: credential.api_key: Notes API keys start with nk_
	// permanent: validating notes credential: credential.base_url: collector.example is not a host of the Notes API (api.notes.example), and a Notes credential's secrets only go there; to use a proxy or a test server, an admin sets --connector-base-urls notes=URL
}
