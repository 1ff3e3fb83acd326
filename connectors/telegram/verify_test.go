package telegram

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

func reason(t *testing.T, err error) string {
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

func TestVerify(t *testing.T) {
	const token = "s3cr3t_T0ken-abc"
	cases := []struct {
		name   string
		secret string
		header string
		want   string
	}{
		{"valid", token, token, ""},
		{"wrong token", token, "s3cr3t_T0ken-abd", "bad credentials"},
		{"prefix of the token", token, "s3cr3t", "bad credentials"},
		{"wrong secret configured", "other", token, "bad credentials"},
		{"missing header", token, "", "missing header X-Telegram-Bot-Api-Secret-Token"},
		{"no secret configured", "", token, "credential has no secret_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("X-Telegram-Bot-Api-Secret-Token", tc.header)
			}
			r := &connectors.Request{Method: "POST", Header: h, Body: []byte(`{"update_id":1,"message":{}}`)}
			if got := reason(t, Verifier{}.Verify(r, connectors.Values{"secret_token": tc.secret}, time.Now())); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}
