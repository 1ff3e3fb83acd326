package twilio_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
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

// fakeTwilio follows the Messages API's documented wire format: POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json with a form body and HTTP
// Basic auth (Account SID + Auth Token, or API key SID + secret); 201 with
// the Message resource; errors as {"code","message","more_info","status"},
// 429 with code 20429 when rate limited.
type fakeTwilio struct {
	*connectortest.Fake
	t *testing.T

	mu sync.Mutex
	// rateLimited answers 429 with code 20429 and no Retry-After, as
	// Twilio does.
	rateLimited bool
}

func newFake(t *testing.T) *fakeTwilio {
	f := &fakeTwilio{t: t}
	f.Fake = connectortest.NewFake(t, twilio.New(), connectors.Values{
		twilio.CredentialAccountSID: testAccount, twilio.CredentialAuthToken: testAuthToken}, f.serve)
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
	raw, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(raw))
	contentType := r.Header.Get("Content-Type")
	f.mu.Lock()
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
	case contentType != "application/x-www-form-urlencoded":
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case form.Get("To") == "":
		twilioError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case form.Get("To") == "+1555000":
		w.WriteHeader(http.StatusBadRequest)
		w.Write(connectortest.ReadFile(f.t, "testdata/api_error_invalid_to.json"))
		return
	case form.Get("From") == "" && form.Get("MessagingServiceSid") == "":
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case form.Get("Body") == "" && form.Get("MediaUrl") == "":
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	w.WriteHeader(http.StatusCreated)
	w.Write(connectortest.ReadFile(f.t, "testdata/api_message_created.json"))
}
