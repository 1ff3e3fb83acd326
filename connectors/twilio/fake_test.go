package twilio_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/twilio"
)

const (
	testAccount   = "AC0123456789abcdef0123456789abcdef"
	testAuthToken = "0123456789abcdef0123456789abcdef"
	testKeySID    = "SK0123456789abcdef0123456789abcdef"
	testKeySecret = "keysecretkeysecretkeysecret12345"
)

// received is one request as the fake Twilio saw it.
type received struct {
	Method      string
	Path        string
	User, Pass  string
	ContentType string
	Form        url.Values
}

// fakeTwilio follows the Messages API's documented wire format: POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json with a form body and HTTP
// Basic auth (Account SID + Auth Token, or API key SID + secret); 201 with
// the Message resource; errors as {"code","message","more_info","status"},
// 429 with code 20429 when rate limited.
type fakeTwilio struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []received
	// rateLimited answers 429 with code 20429 and no Retry-After, as
	// Twilio does.
	rateLimited bool
}

func newFake(t *testing.T) *fakeTwilio {
	f := &fakeTwilio{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func twilioError(w http.ResponseWriter, status, code int, message string) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"code": code, "message": message, "more_info": "https://www.twilio.com/docs/errors/" + itoa(code), "status": status,
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func (f *fakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, _ := r.BasicAuth()
	rec := received{Method: r.Method, Path: r.URL.Path, User: user, Pass: pass, ContentType: r.Header.Get("Content-Type")}
	raw, _ := io.ReadAll(r.Body)
	rec.Form, _ = url.ParseQuery(string(raw))
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	limited := f.rateLimited
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	authOK := (user == testAccount && pass == testAuthToken) || (user == testKeySID && pass == testKeySecret)
	switch {
	case limited:
		twilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return
	case !authOK:
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	case r.URL.Path != "/2010-04-01/Accounts/"+testAccount+"/Messages.json":
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	case r.Method != http.MethodPost:
		twilioError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	case rec.ContentType != "application/x-www-form-urlencoded":
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case rec.Form.Get("To") == "":
		twilioError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case rec.Form.Get("To") == "+1555000":
		w.WriteHeader(http.StatusBadRequest)
		w.Write(readTestdata(f.t, "testdata/api_error_invalid_to.json"))
		return
	case rec.Form.Get("From") == "" && rec.Form.Get("MessagingServiceSid") == "":
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case rec.Form.Get("Body") == "" && rec.Form.Get("MediaUrl") == "":
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	w.WriteHeader(http.StatusCreated)
	w.Write(readTestdata(f.t, "testdata/api_message_created.json"))
}

func (f *fakeTwilio) received() []received {
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

// invoke runs send_sms through a registry, as the engine's activity does.
func invoke(t *testing.T, f *fakeTwilio, cred, input connectors.Values) (any, error) {
	t.Helper()
	reg := connectortest.Registry(t, twilio.New(), f.srv.URL)
	if cred == nil {
		cred = connectors.Values{twilio.CredentialAccountSID: testAccount, twilio.CredentialAuthToken: testAuthToken}
	}
	return reg.Invoke(context.Background(), connectors.Invocation{
		Connector: twilio.Name, Action: "send_sms", Input: input, Credential: cred,
		RunID: "run-1", StepID: "sms",
	})
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
