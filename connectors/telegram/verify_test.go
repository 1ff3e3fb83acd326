package telegram

import (
	"net/http"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestVerify(t *testing.T) {
	const token = "s3cr3t_T0ken-abc"
	cases := []struct {
		name   string
		secret string
		header string
		want   string
	}{
		{"prefix of the token", token, "s3cr3t", "bad credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("X-Telegram-Bot-Api-Secret-Token", tc.header)
			}
			r := &connectors.Request{Method: "POST", Header: h, Body: []byte(`{"update_id":1,"message":{}}`)}
			if got := connectortest.Reason(t, verifier.Verify(r, connectors.Values{"secret_token": tc.secret}, time.Now())); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}
