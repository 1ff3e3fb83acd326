package slack_test

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
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/slack"
)

// testToken is the bot token the fake accepts.
const testToken = "xoxb-1111-2222-fakefakefake"

// received is one request as the fake Slack saw it.
type received struct {
	Method      string
	Path        string
	Auth        string
	ContentType string
	Body        map[string]any
}

// fakeSlack follows the Web API's documented wire format: POST
// https://slack.com/api/<method> with a JSON body and a Bearer token,
// HTTP 200 with {"ok":false,"error":…} for failures, and HTTP 429 with
// Retry-After and {"ok":false,"error":"ratelimited"} when rate limited.
// Successful calls answer with the recorded responses in testdata/.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []received
	// rateLimit, when set, is the Retry-After (seconds) of a 429 answer.
	rateLimit string
	// answer, when set, replaces the normal answer with this status and
	// testdata file or literal body.
	answerStatus int
	answerBody   string
}

func newFake(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rec := received{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type")}
	_ = json.Unmarshal(raw, &rec.Body)
	f.mu.Lock()
	f.requests = append(f.requests, rec)
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
	case rec.Auth == "":
		fail("not_authed")
		return
	case rec.Auth != "Bearer "+testToken:
		fail("invalid_auth")
		return
	case r.Method != http.MethodPost:
		fail("invalid_arguments")
		return
	case !strings.HasPrefix(rec.ContentType, "application/json"):
		fail("invalid_arguments")
		return
	}
	channel, _ := rec.Body["channel"].(string)
	_, hasText := rec.Body["text"]
	_, hasBlocks := rec.Body["blocks"]
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
		if _, thread := rec.Body["thread_ts"]; thread {
			file = "testdata/api_chat.postMessage_thread.json"
		}
	case "/chat.update":
		if ts, _ := rec.Body["ts"].(string); ts == "" {
			fail("message_not_found")
			return
		}
		file = "testdata/api_chat.update.json"
	default:
		w.WriteHeader(http.StatusNotFound)
		fail("unknown_method")
		return
	}
	w.Write(readTestdata(f.t, file))
}

func (f *fakeSlack) answer(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answerStatus, f.answerBody = status, body
}

func (f *fakeSlack) received() []received {
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

// invoke runs one action through a registry, the way the engine's activity
// does, against the fake.
func invoke(t *testing.T, f *fakeSlack, action string, input connectors.Values) (any, error) {
	t.Helper()
	reg := connectortest.Registry(t, slack.New(), f.srv.URL)
	return reg.Invoke(context.Background(), connectors.Invocation{
		Connector: slack.Name, Action: action, Input: input,
		Credential: connectors.Values{slack.CredentialBotToken: testToken},
		RunID:      "run-1", StepID: action,
	})
}

// sampleOf returns an action's declared output sample.
func sampleOf(t *testing.T, action string) json.RawMessage {
	t.Helper()
	for _, a := range slack.New().Actions {
		if a.Name == action {
			return a.OutputSample
		}
	}
	t.Fatalf("no action %s", action)
	return nil
}

// asJSON re-encodes v so maps compare independent of Go types.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var norm any
	if err := json.Unmarshal(data, &norm); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(norm)
	return string(out)
}
