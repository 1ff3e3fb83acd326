package telegram_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/telegram"
)

// testToken is the bot token the fake accepts.
const testToken = "7012345678:AAHfakeFAKEfake_fake-fakeFAKEfake12"

// fakeTelegram follows the Bot API's documented wire format: POST
// /bot<token>/<method> with a JSON body; every answer is the envelope
// {"ok":true,"result":…} or {"ok":false,"error_code":N,"description":…,
// "parameters":{…}} with HTTP status N. An unknown token gets 401
// Unauthorized, an unknown method 404 Not Found. Successful calls answer
// with the recorded responses in testdata/.
type fakeTelegram struct {
	*connectortest.Fake
	t *testing.T

	mu sync.Mutex
	// answerFile, when set, answers every call with this testdata file and
	// its error_code as the status.
	answerFile string
}

func newFake(t *testing.T) *fakeTelegram {
	f := &fakeTelegram{t: t}
	f.Fake = connectortest.NewFake(t, telegram.New(), connectors.Values{telegram.CredentialBotToken: testToken}, f.serve)
	return f
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	body := connectortest.JSONBody(r)
	contentType := r.Header.Get("Content-Type")
	f.mu.Lock()
	answerFile := f.answerFile
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	fail := func(code int, description string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": code, "description": description})
	}
	if answerFile != "" {
		data := connectortest.ReadFile(f.t, answerFile)
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
	case r.Method != http.MethodPost || !strings.HasPrefix(contentType, "application/json"):
		fail(http.StatusBadRequest, "Bad Request: wrong request format")
		return
	}
	switch method {
	case "sendMessage":
		switch id := body["chat_id"].(type) {
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
		if text, _ := body["text"].(string); text == "" {
			fail(http.StatusBadRequest, "Bad Request: message text is empty")
			return
		}
		w.Write(connectortest.ReadFile(f.t, "testdata/api_sendMessage.json"))
	case "answerCallbackQuery":
		if id, _ := body["callback_query_id"].(string); id == "expired" {
			fail(http.StatusBadRequest, "Bad Request: query is too old and response timeout expired or query ID is invalid")
			return
		}
		w.Write(connectortest.ReadFile(f.t, "testdata/api_answerCallbackQuery.json"))
	default:
		fail(http.StatusNotFound, "Not Found")
	}
}

func (f *fakeTelegram) answerWith(file string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answerFile = file
}
