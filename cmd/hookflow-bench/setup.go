package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/hookflow/hookflow/engine/store"
)

// DefaultWorkflowFile is the reference workflow every engine in the
// comparison runs: a Stripe payment_intent.succeeded webhook, a filter on type
// and amount, a map that builds the message, and an HTTP POST to the sink
// with the provider's event id as Idempotency-Key, so the sink can count each
// event's side effect once and see any second one.
const DefaultWorkflowFile = "workflows/bench-reference.json"

// referenceWorkflow reads the reference definition and points it at this
// run's sink and credential.
func referenceWorkflow(path, credential, sinkURL string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the reference workflow: %w", err)
	}
	var def map[string]any
	if err := json.Unmarshal(b, &def); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	trigger, _ := def["trigger"].(map[string]any)
	if trigger == nil {
		return nil, fmt.Errorf("%s has no trigger", path)
	}
	trigger["credential"] = credential
	vars, _ := def["vars"].(map[string]any)
	if vars == nil {
		vars = map[string]any{}
		def["vars"] = vars
	}
	vars["sink"] = sinkURL
	return def, nil
}

// API is the small part of hookflow's REST API the harness uses.
type API struct {
	Base string
	Key  string
}

func (a *API) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.Base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("calling %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("calling %s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decoding %s %s: %w", method, path, err)
		}
	}
	return nil
}

// Install creates an API key straight in the store (the harness may target a
// split deployment that never prints one), then the Stripe credential and the
// reference workflow through the API, activates it, and returns its webhook
// URL.
func Install(ctx context.Context, c *Cluster, workflowFile, storeURL, sinkURL, secret string) (*API, string, error) {
	def, err := referenceWorkflow(workflowFile, "stripe-bench", sinkURL)
	if err != nil {
		return nil, "", err
	}
	st, err := store.Open(ctx, storeURL)
	if err != nil {
		return nil, "", fmt.Errorf("opening the store to create a bench API key: %w", err)
	}
	_, key, err := st.CreateAPIKey(ctx, "hookflow-bench", store.ScopeAdmin)
	st.Close()
	if err != nil {
		return nil, "", fmt.Errorf("creating a bench API key: %w", err)
	}
	api := &API{Base: c.BaseURL(), Key: key}
	cred := map[string]any{"name": "stripe-bench", "connector": "stripe",
		"values": map[string]any{"webhook_secret": secret, "secret_key": "sk_test_bench"}}
	if err := api.do(ctx, http.MethodPost, "/api/v1/credentials", cred, nil); err != nil {
		return nil, "", err
	}
	url, err := api.installWorkflow(ctx, def)
	if err != nil {
		return nil, "", err
	}
	return api, url, nil
}
