package sendgrid

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const testKey = "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"

// fakeSendGrid follows the v3 Mail Send wire format: Bearer auth, a JSON
// body, 202 with an empty body and X-Message-Id on success, and
// {"errors":[{"message","field","help"}]} on failure; 429 carries
// X-RateLimit-Limit/Remaining/Reset.
type fakeSendGrid struct {
	*connectortest.Fake
	mu        sync.Mutex
	rateLimit time.Time // answer 429 until this reset time when set
}

func newFake(t *testing.T) *fakeSendGrid {
	f := &fakeSendGrid{}
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialAPIKey: testKey}, f.serve)
	return f
}

func sgError(w http.ResponseWriter, status int, message, field string) {
	e := map[string]any{"message": message, "field": nil, "help": nil}
	if field != "" {
		e["field"] = field
		e["help"] = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message." + field
	}
	connectortest.WriteJSON(w, status, map[string]any{"errors": []any{e}})
}

func (f *fakeSendGrid) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	reset := f.rateLimit
	f.mu.Unlock()
	if !reset.IsZero() {
		w.Header().Set("X-RateLimit-Limit", "600")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		sgError(w, 429, "too many requests", "")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		sgError(w, 401, "The provided authorization grant is invalid, expired, or revoked", "")
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v3/mail/send" {
		sgError(w, 404, "not found", "")
		return
	}
	var m mailSend
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		sgError(w, 400, "Bad Request", "")
		return
	}
	switch {
	case m.From.Email == "unverified@shop.example.com":
		sgError(w, 403, "The from address does not match a verified Sender Identity.", "from")
		return
	case len(m.Personalizations) == 0 || len(m.Personalizations[0].To) == 0:
		sgError(w, 400, "The to array is required for all personalization objects, and must have at least one email object with a valid email address.", "personalizations.0.to")
		return
	case len(m.Content) > 0 && m.Content[0].Type != "text/plain" && len(m.Content) > 1:
		sgError(w, 400, "If present, text/plain content must be first, followed by any other content.", "content")
		return
	}
	w.Header().Set("X-Message-Id", "KkAkhdMsgzn59SM8A89Wg")
	w.WriteHeader(http.StatusAccepted)
}
