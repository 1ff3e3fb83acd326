package connectors

import "testing"

func TestOriginFromWins(t *testing.T) {
	s := &Spec{Name: "smtpish", Title: "SMTP-ish",
		OriginFrom: func(c Values) string {
			if c.String("host") == "" {
				return ""
			}
			return "smtp://" + c.String("host") + ":587"
		}}
	if got := s.CredentialOrigin(Values{"host": "Mail.Example.com"}); got != "smtp://mail.example.com:587" {
		t.Fatalf("origin = %q", got)
	}
	if got := s.CredentialOrigin(Values{}); got != "" {
		t.Fatalf("origin without host = %q", got)
	}
}
