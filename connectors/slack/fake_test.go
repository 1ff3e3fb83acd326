package slack_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/slack"
)

// testToken is the bot token the fake accepts.
const testToken = "xoxb-1111-2222-fakefakefake"

// fakeSlack follows the Web API's documented wire format: POST
// https://slack.com/api/<method> with a JSON body and a Bearer token,
// HTTP 200 with {"ok":false,"error":…} for failures, and HTTP 429 with
// Retry-After and {"ok":false,"error":"ratelimited"} when rate limited.
// Successful calls answer with the recorded responses in testdata/.
type fakeSlack struct {
	*connectortest.Fake
	t *testing.T

	mu sync.Mutex
	// rateLimit, when set, is the Retry-After (seconds) of a 429 answer.
	rateLimit string
	// answer, when set, replaces the normal answer with this status and
	// testdata file or literal body.
	answerStatus int
	answerBody   string
}

func newFake(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t}
	f.Fake = connectortest.NewFake(t, slack.New(), connectors.Values{slack.CredentialBotToken: testToken}, f.serve)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body := connectortest.JSONBody(r)
	auth, contentType := r.Header.Get("Authorization"), r.Header.Get("Content-Type")
	f.mu.Lock()
	rateLimit, status, answer := f.rateLimit, f.answerStatus, f.answerBody
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	fail := func(code string) { io.WriteString(w, `{"ok":false,"error":"`+code+`"}`) }
	switch {
	case rateLimit != "":
		w.Header().Set("Retry-After", rateLimit)
		w.WriteHeader(http.StatusTooManyRequests)
		fail("ratelimited")
		return
	case answer != "":
		w.WriteHeader(status)
		io.WriteString(w, answer)
		return
	case auth == "":
		fail("not_authed")
		return
	case auth != "Bearer "+testToken:
		fail("invalid_auth")
		return
	case r.Method != http.MethodPost:
		fail("invalid_arguments")
		return
	case !strings.HasPrefix(contentType, "application/json"):
		fail("invalid_arguments")
		return
	}
	channel, _ := body["channel"].(string)
	_, hasText := body["text"]
	_, hasBlocks := body["blocks"]
	switch {
	case channel == "":
		fail("channel_not_found")
		return
	case channel == "C_NOT_FOUND":
		fail("channel_not_found")
		return
	case !hasText && !hasBlocks:
		fail("no_text")
		return
	}
	var file string
	switch r.URL.Path {
	case "/chat.postMessage":
		file = "testdata/api_chat.postMessage.json"
		if _, thread := body["thread_ts"]; thread {
			file = "testdata/api_chat.postMessage_thread.json"
		}
	case "/chat.update":
		if ts, _ := body["ts"].(string); ts == "" {
			fail("message_not_found")
			return
		}
		file = "testdata/api_chat.update.json"
	default:
		w.WriteHeader(http.StatusNotFound)
		fail("unknown_method")
		return
	}
	w.Write(connectortest.ReadFile(f.t, file))
}

func (f *fakeSlack) answer(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answerStatus, f.answerBody = status, body
}
