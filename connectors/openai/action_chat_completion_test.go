package openai_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/openai"
)

const apiKey = "sk-test-4f9c2b7e1d"

var credential = connectors.Values{openai.CredentialAPIKey: apiKey, openai.CredentialModel: "gpt-4o-mini"}

// ticketSchema is the structured output the example workflow asks for.
func ticketSchema() map[string]any {
	return map[string]any{
		"type": "object", "additionalProperties": false, "required": []any{"category", "urgency", "reply"},
		"properties": map[string]any{
			"category": map[string]any{"type": "string", "enum": []any{"billing", "bug", "how_to", "other"}},
			"urgency":  map[string]any{"type": "string", "enum": []any{"low", "normal", "high"}},
			"reply":    map[string]any{"type": "string"},
			"tags":     map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		},
	}
}

func TestConformance(t *testing.T) {
	f := &fakeServer{t: t, replies: []string{"Hello!"}}
	connectortest.Run(t, openai.New(), connectortest.Fixtures{
		Credential: credential,
		Actions: map[string]connectortest.ActionFixture{
			"chat_completion": {Input: connectors.Values{"prompt": "Say hello"}, Success: f.serve},
		},
	})
}

func TestChatCompletionText(t *testing.T) {
	f := &fakeServer{t: t, key: apiKey, replies: []string{"Refunds take 5 business days."}}
	fake := connectortest.NewFake(t, openai.New(), credential, f.serve)
	out, err := fake.InvokeJSON("chat_completion", connectors.Values{"system": "You are terse.", "prompt": "How long do refunds take?",
		"messages":    []any{map[string]any{"role": "user", "content": "Hi"}, map[string]any{"role": "assistant", "content": "Hello, how can I help?"}},
		"temperature": 0.2, "max_tokens": 50})
	if err != nil {
		t.Fatal(err)
	}
	if out["text"] != "Refunds take 5 business days." || out["finish_reason"] != "stop" || out["model"] != "gpt-4o-mini-2024-07-18" {
		t.Fatalf("output = %v", out)
	}
	if out["json"] != nil {
		t.Errorf("json without json_schema: %v", out["json"])
	}
	if u := out["usage"].(map[string]any); u["total_tokens"] != float64(120) || u["prompt_tokens"] != float64(100) {
		t.Errorf("usage = %v", u)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	body := reqs[0]
	if body["model"] != "gpt-4o-mini" || body["temperature"] != 0.2 || body["max_tokens"] != float64(50) || body["response_format"] != nil {
		t.Errorf("request = %v", body)
	}
	want := [][2]string{{"system", "You are terse."}, {"user", "Hi"}, {"assistant", "Hello, how can I help?"}, {"user", "How long do refunds take?"}}
	if got := messages(t, body); connectortest.JSON(t, got) != connectortest.JSON(t, want) {
		t.Errorf("messages = %v, want %v", got, want)
	}
	connectortest.CheckOutputShape(t, openai.New(), "chat_completion", out)
}

// A local server (Ollama, llama.cpp) takes no key: no Authorization
// header is sent, and the step's model wins over the credential's.
func TestChatCompletionWithoutKey(t *testing.T) {
	f := &fakeServer{t: t, replies: []string{"ok"}}
	fake := connectortest.NewFake(t, openai.New(), connectors.Values{openai.CredentialModel: "llama3.1"}, f.serve)
	if _, err := fake.Invoke("chat_completion", connectors.Values{"model": "qwen2.5:7b", "prompt": "ping"}); err != nil {
		t.Fatal(err)
	}
	if f.auth[0] != "" {
		t.Errorf("Authorization = %q, want none", f.auth[0])
	}
	if m := f.requests()[0]["model"]; m != "qwen2.5:7b" {
		t.Errorf("model = %v", m)
	}
}

// The fake first answers prose, then JSON that breaks the schema, then a
// valid object: the action sends each bad reply back with what is wrong,
// and returns the parsed third reply with the usage of all three calls.
func TestStructuredOutputRetriesUntilValid(t *testing.T) {
	valid := `{"category": "billing", "urgency": "high", "reply": "Sorry about the double charge; we refunded it.", "tags": ["refund"]}`
	f := &fakeServer{t: t, key: apiKey, replies: []string{
		"Sure! This looks like a billing question.",
		`{"category": "payments", "urgency": "high", "reply": "We refunded it."}`,
		"```json\n" + valid + "\n```",
	}}
	fake := connectortest.NewFake(t, openai.New(), credential, f.serve)
	out, err := fake.InvokeJSON("chat_completion", connectors.Values{"prompt": "I was charged twice for order 1042!",
		"json_schema": ticketSchema(), "schema_name": "ticket"})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := out["json"].(map[string]any)
	if j["category"] != "billing" || j["urgency"] != "high" || out["attempts"] != float64(3) {
		t.Fatalf("output = %v", out)
	}
	if u := out["usage"].(map[string]any); u["total_tokens"] != float64(360) {
		t.Errorf("usage summed over attempts = %v, want total 360", u)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	rf := reqs[0]["response_format"].(map[string]any)
	js := rf["json_schema"].(map[string]any)
	if rf["type"] != "json_schema" || js["name"] != "ticket" || js["strict"] != true || connectortest.JSON(t, js["schema"]) != connectortest.JSON(t, ticketSchema()) {
		t.Errorf("response_format = %v", rf)
	}
	second := messages(t, reqs[1])
	if n := len(second); n != 3 || second[1] != [2]string{"assistant", "Sure! This looks like a billing question."} ||
		second[2][0] != "user" || !strings.Contains(second[2][1], "not JSON") {
		t.Errorf("second request's messages = %q", second)
	}
	third := messages(t, reqs[2])
	if fix := third[len(third)-1][1]; !strings.Contains(fix, "/category") || !strings.Contains(fix, "#/properties/category/enum") {
		t.Errorf("third request's correction = %q, want the path and the schema rule", fix)
	}
}

// A reply that never satisfies the schema ends in a permanent error that
// names the reply's path and the schema's rule, after 1 + schema_retries
// calls.
func TestStructuredOutputFinalMismatch(t *testing.T) {
	f := &fakeServer{t: t, key: apiKey, replies: []string{`{"category": "billing", "urgency": "whenever", "reply": "ok", "mood": "sad"}`}}
	fake := connectortest.NewFake(t, openai.New(), credential, f.serve)
	_, err := fake.Invoke("chat_completion", connectors.Values{"prompt": "x", "json_schema": ticketSchema(), "schema_retries": 1})
	if err == nil {
		t.Fatal("a reply that breaks the schema passed")
	}
	t.Log(err)
	if connectors.ClassOf(err) != connectors.ClassPermanent {
		t.Errorf("class = %s, want permanent", connectors.ClassOf(err))
	}
	for _, want := range []string{"after 2 attempts", "at /urgency (schema #/properties/urgency/enum)", "#/additionalProperties", "mood"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestInputErrors(t *testing.T) {
	f := &fakeServer{t: t, replies: []string{"ok"}}
	fake := connectortest.NewFake(t, openai.New(), connectors.Values{openai.CredentialAPIKey: apiKey}, f.serve)
	for _, tc := range []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"no model", connectors.Values{"prompt": "hi"}, "input.model: required"},
		{"no prompt", connectors.Values{"model": "m", "system": "be nice"}, "input.prompt: required"},
		{"temperature", connectors.Values{"model": "m", "prompt": "hi", "temperature": 3}, "input.temperature"},
		{"max_tokens", connectors.Values{"model": "m", "prompt": "hi", "max_tokens": 0}, "input.max_tokens"},
		{"role", connectors.Values{"model": "m", "messages": []any{map[string]any{"role": "robot", "content": "x"}}}, "input.messages[0]: role \"robot\""},
		{"schema not object", connectors.Values{"model": "m", "prompt": "hi", "json_schema": map[string]any{"type": "array"}}, "input.json_schema: the top level must be"},
		{"schema invalid", connectors.Values{"model": "m", "prompt": "hi", "json_schema": map[string]any{"type": "object", "required": "category"}}, "input.json_schema"},
		{"schema external ref", connectors.Values{"model": "m", "prompt": "hi", "json_schema": map[string]any{"type": "object",
			"properties": map[string]any{"a": map[string]any{"$ref": "file:///etc/passwd"}}}}, "external $ref is not allowed"},
		{"schema_retries", connectors.Values{"model": "m", "prompt": "hi", "schema_retries": 9}, "input.schema_retries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fake.Invoke("chat_completion", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want a permanent error containing %q", err, tc.want)
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("the server was called %d times with invalid input", n)
	}
}

func TestErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header map[string]string
		body   map[string]any
		class  connectors.Class
		wait   time.Duration
		want   string
	}{
		{"401 names the credential", 401, nil, apiError("Incorrect API key provided: sk-test-****1d.", "invalid_request_error", "", "invalid_api_key"),
			connectors.ClassPermanent, 0, "credential's api_key"},
		{"403 names the credential", 403, nil, apiError("You are not allowed to sample from this model", "invalid_request_error", "", "model_not_found"),
			connectors.ClassPermanent, 0, "credential's api_key"},
		{"400 keeps param and code", 400, nil, apiError("Invalid schema for response_format 'ticket'", "invalid_request_error", "response_format", "invalid_json_schema"),
			connectors.ClassPermanent, 0, "code invalid_json_schema, param response_format); in strict mode every object needs"},
		{"429 reset-requests", 429, map[string]string{"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6m0s",
			"x-ratelimit-remaining-tokens": "1000", "x-ratelimit-reset-tokens": "20ms"},
			apiError("Rate limit reached for requests", "requests", "", "rate_limit_exceeded"), connectors.ClassRateLimited, 6 * time.Minute, "Rate limit reached"},
		{"429 reset-tokens", 429, map[string]string{"x-ratelimit-remaining-requests": "59", "x-ratelimit-reset-requests": "1s",
			"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "1.5s"},
			apiError("Rate limit reached for tokens", "tokens", "", "rate_limit_exceeded"), connectors.ClassRateLimited, 1500 * time.Millisecond, "tokens"},
		{"429 Retry-After wins", 429, map[string]string{"Retry-After": "12", "x-ratelimit-reset-requests": "6m0s", "x-ratelimit-remaining-requests": "0"},
			apiError("Rate limit reached", "requests", "", "rate_limit_exceeded"), connectors.ClassRateLimited, 12 * time.Second, "Rate limit"},
		{"429 insufficient_quota", 429, nil, apiError("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "", "insufficient_quota"),
			connectors.ClassPermanent, 0, "no quota left"},
		{"503 retried", 503, nil, apiError("The engine is currently overloaded, please try again later", "server_error", "", ""),
			connectors.ClassRetryable, 0, "overloaded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := connectortest.NewFake(t, openai.New(), credential, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				connectortest.WriteJSON(w, tc.status, tc.body)
			})
			_, err := fake.Invoke("chat_completion", connectors.Values{"prompt": "hi"})
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.class || ce.Status != tc.status || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %s HTTP %d containing %q", err, tc.class, tc.status, tc.want)
			}
			if tc.wait > 0 && ce.RetryAfter != tc.wait {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tc.wait)
			}
			if strings.Contains(err.Error(), apiKey) {
				t.Errorf("error leaks the API key: %v", err)
			}
		})
	}
}

// A credential's base_url may name a local model server, keeping its path
// (/v1), but plain http and private addresses need the admin's say.
func TestLocalServerBaseURL(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		r.URL.Path = "/chat/completions"
		(&fakeServer{t: t, replies: []string{"pong"}}).serve(w, r)
	}))
	defer srv.Close()
	cred := connectors.Values{connectors.BaseURLField: srv.URL + "/v1", openai.CredentialModel: "llama3.1"}
	inv := connectors.Invocation{Connector: openai.Name, Action: "chat_completion", Input: connectors.Values{"prompt": "ping"},
		Credential: cred, RunID: "r", StepID: "s"}

	strict, err := connectors.NewRegistryConfig(connectors.RegistryConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := strict.Register(openai.New()); err != nil {
		t.Fatal(err)
	}
	if _, err := strict.Invoke(context.Background(), inv); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("http://127.0.0.1 without the admin's allowlist: err = %v, want a refusal", err)
	}
	if path != "" {
		t.Fatal("the refused call reached the server")
	}

	allowed, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := allowed.Register(openai.New()); err != nil {
		t.Fatal(err)
	}
	out, err := allowed.Invoke(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	if path != "/v1/chat/completions" || out.(map[string]any)["text"] != "pong" {
		t.Fatalf("path %q, output %v", path, out)
	}
}

// A model slower than the HTTP client's default timeout still answers
// within the step's timeout, which reaches the action as its context's
// deadline; without a longer deadline the call times out as retryable.
func TestStepTimeoutOutlastsClientTimeout(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * connectortest.Timeout):
		case <-r.Context().Done():
			return
		}
		(&fakeServer{t: t, replies: []string{"a long reply"}}).serve(w, r)
	}
	fake := connectortest.NewFake(t, openai.New(), credential, slow)
	inv := connectors.Invocation{Connector: openai.Name, Action: "chat_completion", Input: connectors.Values{"prompt": "write a lot"},
		Credential: connectors.Values{openai.CredentialAPIKey: apiKey, openai.CredentialModel: "m", connectors.BaseURLField: fake.URL},
		RunID:      "r", StepID: "s"}
	if _, err := fake.Registry().Invoke(context.Background(), inv); connectors.ClassOf(err) != connectors.ClassRetryable {
		t.Fatalf("without a step deadline: err = %v, want a retryable timeout", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := fake.Registry().Invoke(ctx, inv)
	if err != nil {
		t.Fatalf("with a one-minute step deadline: %v", err)
	}
	if out.(map[string]any)["text"] != "a long reply" {
		t.Fatalf("output = %v", out)
	}
}

// A structured-output refusal (message.refusal set, content null) is the
// model declining on policy grounds: asking again would not change it.
func TestRefusalIsPermanent(t *testing.T) {
	fake := connectortest.NewFake(t, openai.New(), credential, func(w http.ResponseWriter, r *http.Request) {
		connectortest.WriteJSON(w, http.StatusOK, map[string]any{"id": "chatcmpl-R", "object": "chat.completion", "model": "gpt-4o-mini",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": nil, "refusal": "I'm sorry, I can't help with that."}}}})
	})
	_, err := fake.Invoke("chat_completion", connectors.Values{"prompt": "x", "json_schema": ticketSchema()})
	if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "the model refused: I'm sorry") {
		t.Fatalf("err = %v, want a permanent refusal", err)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests for a refusal, want 1", n)
	}
}

// A reply cut off at max_tokens is not valid JSON; the correction sent
// back says so, and content parts in messages pass through unchanged.
func TestTruncatedReplyIsExplained(t *testing.T) {
	var calls atomic.Int32
	fake := connectortest.NewFake(t, openai.New(), credential, func(w http.ResponseWriter, r *http.Request) {
		content, reason := `{"category": "billing", "urgency": "hi`, "length"
		if calls.Add(1) > 1 {
			content, reason = `{"category": "billing", "urgency": "high", "reply": "ok"}`, "stop"
		}
		connectortest.WriteJSON(w, http.StatusOK, map[string]any{"id": "chatcmpl-T", "object": "chat.completion", "model": "gpt-4o-mini",
			"choices": []any{map[string]any{"index": 0, "finish_reason": reason, "message": map[string]any{"role": "assistant", "content": content}}}})
	})
	parts := []any{map[string]any{"type": "text", "text": "What is in this receipt?"},
		map[string]any{"type": "image_url", "image_url": map[string]any{"url": "https://example.com/receipt.png"}}}
	out, err := fake.InvokeJSON("chat_completion", connectors.Values{"messages": []any{map[string]any{"role": "user", "content": parts}},
		"json_schema": ticketSchema(), "max_tokens": 12})
	if err != nil {
		t.Fatal(err)
	}
	if out["attempts"] != float64(2) || out["usage"].(map[string]any)["total_tokens"] != float64(0) {
		t.Errorf("output = %v", out)
	}
	reqs := fake.Requests()
	sent := reqs[0].JSON()["messages"].([]any)[0].(map[string]any)["content"]
	if connectortest.JSON(t, sent) != connectortest.JSON(t, parts) {
		t.Errorf("content parts sent as %v", sent)
	}
	msgs := reqs[1].JSON()["messages"].([]any)
	if fix := msgs[len(msgs)-1].(map[string]any)["content"].(string); !strings.Contains(fix, "cut off at max_tokens") {
		t.Errorf("correction = %q", fix)
	}
}
