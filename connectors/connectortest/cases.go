package connectortest

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// ExtractCase is one extraction a connector's own tests pin beyond its
// recorded deliveries (edge cases, errors): a request, and either the
// events it must yield, as "id type" in order ("*" for an id not worth
// spelling out, such as a content hash), or the exact error.
type ExtractCase struct {
	Name    string
	Request *connectors.Request
	Options connectors.Values
	Want    []string
	WantErr string
}

// RunExtract checks extract against each case, as a subtest named after
// it.
func RunExtract(t *testing.T, extract connectors.ExtractorFunc, cases []ExtractCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			events, err := extract(tc.Request, tc.Options)
			if tc.WantErr != "" {
				if err == nil || err.Error() != tc.WantErr {
					t.Fatalf("err = %v, want %q", err, tc.WantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(events))
			for i, e := range events {
				got[i] = e.ID + " " + e.Type
				if i < len(tc.Want) && strings.HasPrefix(tc.Want[i], "* ") && e.ID != "" {
					got[i] = "* " + e.Type
				}
			}
			if !slices.Equal(got, tc.Want) {
				t.Fatalf("events = %q, want %q", got, tc.Want)
			}
		})
	}
}

// NewRequest builds a POST delivery with body and headers given as name,
// value pairs, for ExtractCase and verifier tests.
func NewRequest(body string, header ...string) *connectors.Request {
	r := &connectors.Request{Method: http.MethodPost, Header: http.Header{}, Body: []byte(body)}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

// VerifyCase is one verification a connector's own tests pin beyond its
// recorded deliveries: a provider's documented example, a rotation, a
// header that is there but malformed.
type VerifyCase struct {
	Name       string
	Request    *connectors.Request
	Credential connectors.Values
	// Now is the clock the verifier is given; zero means the request's
	// Received time.
	Now time.Time
	// Want is the rejection reason, or "" for a delivery that verifies.
	Want string
}

// RunVerify checks v against each case, as a subtest named after it.
func RunVerify(t *testing.T, v connectors.Verifier, cases []VerifyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			now := tc.Now
			if now.IsZero() {
				now = tc.Request.Received
			}
			if got := Reason(t, v.Verify(tc.Request, tc.Credential, now)); got != tc.Want {
				t.Fatalf("reason = %q, want %q", got, tc.Want)
			}
		})
	}
}

// Reason returns the rejection reason of a Verifier's error, "" for nil,
// and fails the test for any other kind of error: verifiers only ever
// refuse with connectors.Reject, so the pipeline can log why.
func Reason(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ve *connectors.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *connectors.VerifyError", err)
	}
	return ve.Reason
}
