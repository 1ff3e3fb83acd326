package openai_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

// fakeServer follows the OpenAI Chat Completions wire format
// (platform.openai.com/docs/api-reference/chat/create): POST
// /chat/completions with {model, messages, …}; a 200 carries
// {id, object: "chat.completion", created, model, choices: [{index,
// message: {role, content, refusal}, finish_reason}], usage}; errors carry
// {"error": {"message", "type", "param", "code"}}. Each call answers with
// the next of replies (the last one repeats) and records the request body.
type fakeServer struct {
	t       testing.TB
	replies []string
	key     string // required Bearer token; "" accepts none

	mu     sync.Mutex
	bodies []map[string]any
	auth   []string
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/chat/completions" {
		connectortest.WriteJSON(w, http.StatusNotFound, apiError("Unknown request URL: "+r.Method+" "+r.URL.Path, "invalid_request_error", "", "unknown_url"))
		return
	}
	if f.key != "" && r.Header.Get("Authorization") != "Bearer "+f.key {
		connectortest.WriteJSON(w, http.StatusUnauthorized, apiError("Incorrect API key provided.", "invalid_request_error", "", "invalid_api_key"))
		return
	}
	body := connectortest.JSONBody(r)
	if body == nil || body["model"] == "" || body["messages"] == nil {
		connectortest.WriteJSON(w, http.StatusBadRequest, apiError("you must provide a model parameter", "invalid_request_error", "model", ""))
		return
	}
	f.mu.Lock()
	n := len(f.bodies)
	f.bodies = append(f.bodies, body)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	reply := f.replies[min(n, len(f.replies)-1)]
	connectortest.WriteJSON(w, http.StatusOK, map[string]any{
		"id": "chatcmpl-" + string(rune('A'+n)), "object": "chat.completion", "created": 1764633600,
		"model":   body["model"].(string) + "-2024-07-18",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": reply, "refusal": nil}, "finish_reason": "stop", "logprobs": nil}},
		"usage":   map[string]any{"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
	})
}

func (f *fakeServer) requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.bodies...)
}

func apiError(msg, typ, param, code string) map[string]any {
	e := map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}
	if param != "" {
		e["param"] = param
	}
	if code != "" {
		e["code"] = code
	}
	return map[string]any{"error": e}
}

// messages returns a recorded request's messages as role: content pairs.
func messages(t testing.TB, body map[string]any) [][2]string {
	t.Helper()
	var out [][2]string
	raw, _ := json.Marshal(body["messages"])
	var ms []struct{ Role, Content string }
	if err := json.Unmarshal(raw, &ms); err != nil {
		t.Fatalf("messages: %v", err)
	}
	for _, m := range ms {
		out = append(out, [2]string{m.Role, m.Content})
	}
	return out
}
