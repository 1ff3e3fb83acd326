package telegram_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/telegram"
)

// testToken is the bot token the fake accepts.
const testToken = "7012345678:AAHfakeFAKEfake_fake-fakeFAKEfake12"

// received is one request as the fake Bot API saw it. Path has the token
// replaced by <token> so assertions do not repeat it.
type received struct {
	Method      string
	Path        string
	ContentType string
	Body        map[string]any
}

// fakeTelegram follows the Bot API's documented wire format: POST
// /bot<token>/<method> with a JSON body; every answer is the envelope
// {"ok":true,"result":…} or {"ok":false,"error_code":N,"description":…,
// "parameters":{…}} with HTTP status N. An unknown token gets 401
// Unauthorized, an unknown method 404 Not Found. Successful calls answer
// with the recorded responses in testdata/.
type fakeTelegram struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []received
	// answerFile, when set, answers every call with this testdata file and
	// its error_code as the status.
	answerFile string
}

func newFake(t *testing.T) *fakeTelegram {
	f := &fakeTelegram{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rec := received{Method: r.Method, Path: strings.Replace(r.URL.Path, testToken, "<token>", 1), ContentType: r.Header.Get("Content-Type")}
	_ = json.Unmarshal(raw, &rec.Body)
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	answerFile := f.answerFile
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	fail := func(code int, description string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": code, "description": description})
	}
	if answerFile != "" {
		data := readTestdata(f.t, answerFile)
		var env struct {
			Code int `json:"error_code"`
		}
		json.Unmarshal(data, &env)
		if env.Code != 0 {
			w.WriteHeader(env.Code)
		}
		w.Write(data)
		return
	}
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	switch {
	case !strings.HasPrefix(r.URL.Path, "/bot") || !ok:
		fail(http.StatusNotFound, "Not Found")
		return
	case token != testToken:
		fail(http.StatusUnauthorized, "Unauthorized")
		return
	case r.Method != http.MethodPost || !strings.HasPrefix(rec.ContentType, "application/json"):
		fail(http.StatusBadRequest, "Bad Request: wrong request format")
		return
	}
	switch method {
	case "sendMessage":
		switch id := rec.Body["chat_id"].(type) {
		case float64:
			if id == 404 {
				fail(http.StatusBadRequest, "Bad Request: chat not found")
				return
			}
		case string:
			if !strings.HasPrefix(id, "@") {
				fail(http.StatusBadRequest, "Bad Request: chat not found")
				return
			}
		default:
			fail(http.StatusBadRequest, "Bad Request: chat_id is empty")
			return
		}
		if text, _ := rec.Body["text"].(string); text == "" {
			fail(http.StatusBadRequest, "Bad Request: message text is empty")
			return
		}
		w.Write(readTestdata(f.t, "testdata/api_sendMessage.json"))
	case "answerCallbackQuery":
		if id, _ := rec.Body["callback_query_id"].(string); id == "expired" {
			fail(http.StatusBadRequest, "Bad Request: query is too old and response timeout expired or query ID is invalid")
			return
		}
		w.Write(readTestdata(f.t, "testdata/api_answerCallbackQuery.json"))
	default:
		fail(http.StatusNotFound, "Not Found")
	}
}

func (f *fakeTelegram) answerWith(file string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answerFile = file
}

func (f *fakeTelegram) received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.requests...)
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// invoke runs one action through a registry, as the engine's activity does.
func invoke(t *testing.T, f *fakeTelegram, token, action string, input connectors.Values) (any, error) {
	t.Helper()
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1", "::1"}})
	if err != nil {
		t.Fatal(err)
	}
	reg.MustRegister(telegram.New())
	return reg.Invoke(context.Background(), connectors.Invocation{
		Connector: telegram.Name, Action: action, Input: input,
		Credential: connectors.Values{telegram.CredentialBotToken: token, "base_url": f.srv.URL},
		RunID:      "run-1", StepID: action,
	})
}

func sampleOf(t *testing.T, action string) json.RawMessage {
	t.Helper()
	for _, a := range telegram.New().Actions {
		if a.Name == action {
			return a.OutputSample
		}
	}
	t.Fatalf("no action %s", action)
	return nil
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
