package email

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// send invokes send_email through a registry as the engine does, with
// the test server's certificate trusted.
func send(t *testing.T, s *smtpServer, cred, input connectors.Values) (map[string]any, error) {
	t.Helper()
	o := options{timeout: 5 * time.Second}
	if s != nil {
		o.roots = s.roots
	}
	reg := connectortest.Registry(t, newSpec(o), "")
	out, err := reg.Invoke(context.Background(), connectors.Invocation{Connector: Name, Action: "send_email",
		Input: input, Credential: cred, RunID: "run-1", StepID: "notify"})
	if err != nil {
		return nil, err
	}
	return connectortest.Decode(t, out), nil
}

func credFor(s *smtpServer, mode string) connectors.Values {
	return connectors.Values{CredentialHost: "127.0.0.1", CredentialPort: s.port(), CredentialUsername: s.user,
		CredentialPassword: s.pass, CredentialTLSMode: mode, CredentialFrom: "Shop <orders@shop.example.com>"}
}

var fullInput = connectors.Values{
	"to": "Ada Lovelace <ada@example.com>, bob@example.com", "cc": []any{"carol@example.com"}, "bcc": "audit@shop.example.com",
	"reply_to": "support@shop.example.com", "subject": "Your order #727 — thank you",
	"text": "Thanks for your order.", "html": "<p>Thanks for your <b>order</b>.</p>",
}

func TestSendOverSTARTTLSWithAuthPlain(t *testing.T) {
	s := newSMTPServer(t, false, true)
	out, err := send(t, s, credFor(s, TLSStartTLS), fullInput)
	if err != nil {
		t.Fatal(err)
	}
	wantID := "<" + connectors.IdempotencyKey("run-1", "notify") + "@shop.example.com>"
	if out["message_id"] != strings.Trim(wantID, "<>") && out["message_id"] != wantID {
		t.Fatalf("output = %v, want message id %s", out, wantID)
	}
	if s.sawAuth != "PLAIN" || !s.authOverTLS {
		t.Fatalf("AUTH %q over TLS %v, want PLAIN after STARTTLS", s.sawAuth, s.authOverTLS)
	}
	msgs := s.received()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages", len(msgs))
	}
	got := msgs[0]
	if got.from != "orders@shop.example.com" {
		t.Errorf("MAIL FROM = %q", got.from)
	}
	if want := []string{"ada@example.com", "bob@example.com", "carol@example.com", "audit@shop.example.com"}; !slices.Equal(got.rcpt, want) {
		t.Errorf("RCPT TO = %q, want %q (bcc is an envelope recipient)", got.rcpt, want)
	}
	m, err := mail.ReadMessage(strings.NewReader(got.data))
	if err != nil {
		t.Fatalf("the received message does not parse: %v\n%s", err, got.data)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	checks := map[string]string{
		"From":       `"Shop" <orders@shop.example.com>`,
		"To":         `"Ada Lovelace" <ada@example.com>, <bob@example.com>`,
		"Cc":         `<carol@example.com>`,
		"Reply-To":   `<support@shop.example.com>`,
		"Message-Id": wantID,
		"Bcc":        "",
	}
	for h, want := range checks {
		if v := m.Header.Get(h); v != want {
			t.Errorf("header %s = %q, want %q", h, v, want)
		}
	}
	if subject != "Your order #727 — thank you" {
		t.Errorf("Subject = %q", subject)
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, want multipart/alternative", m.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts = append(parts, ct+": "+strings.TrimSpace(decodeQP(t, p.Header.Get("Content-Transfer-Encoding"), string(body))))
	}
	want := []string{"text/plain: Thanks for your order.", "text/html: <p>Thanks for your <b>order</b>.</p>"}
	if !slices.Equal(parts, want) {
		t.Fatalf("parts = %q, want %q", parts, want)
	}
}

func decodeQP(t *testing.T, enc, s string) string {
	if strings.EqualFold(enc, "quoted-printable") {
		b, err := io.ReadAll(newQPReader(s))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return s
}

func TestSendOverImplicitTLS(t *testing.T) {
	s := newSMTPServer(t, true, false)
	_, err := send(t, s, credFor(s, TLSImplicit), connectors.Values{"to": "ada@example.com", "subject": "Hi", "text": "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.received()) != 1 || !s.authOverTLS {
		t.Fatalf("received %d messages, auth over TLS %v", len(s.received()), s.authOverTLS)
	}
	m, _ := mail.ReadMessage(strings.NewReader(s.received()[0].data))
	if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type = %q, want text/plain", ct)
	}
}

func TestOpportunisticWithoutSTARTTLSRelaysPlainToLocalhost(t *testing.T) {
	s := newSMTPServer(t, false, false)
	s.user = "" // an open local relay
	cred := connectors.Values{CredentialHost: "127.0.0.1", CredentialPort: s.port(), CredentialTLSMode: TLSOpportunistic}
	if _, err := send(t, s, cred, connectors.Values{"from": "cron@localhost.localdomain", "to": "ops@example.com", "subject": "Nightly", "html": "<p>ok</p>"}); err != nil {
		t.Fatal(err)
	}
	if len(s.received()) != 1 {
		t.Fatal("nothing relayed")
	}
}

func TestErrorClasses(t *testing.T) {
	in := connectors.Values{"to": "ada@example.com, bob@example.com", "subject": "Hi", "text": "Hello"}
	tests := []struct {
		name    string
		setup   func(s *smtpServer)
		cred    func(s *smtpServer) connectors.Values
		want    connectors.Class
		wantMsg string
	}{
		{name: "550_unknown_recipient_is_permanent", setup: func(s *smtpServer) { s.rejectRcpt, s.rcptReply = "bob@example.com", "550 5.1.1 User unknown" },
			want: connectors.ClassPermanent, wantMsg: "550 5.1.1 User unknown"},
		{name: "450_mailbox_busy_is_retried", setup: func(s *smtpServer) {
			s.rejectRcpt, s.rcptReply = "bob@example.com", "450 4.2.1 Mailbox busy, try later"
		},
			want: connectors.ClassRetryable, wantMsg: "450 4.2.1 Mailbox busy"},
		{name: "421_at_mail_from_is_retried", setup: func(s *smtpServer) { s.mailReply = "421 4.7.0 Too many connections, try again later" },
			want: connectors.ClassRetryable, wantMsg: "421 4.7.0"},
		{name: "554_at_mail_from_is_permanent", setup: func(s *smtpServer) { s.mailReply = "554 5.7.1 Sender address rejected: not owned by user" },
			want: connectors.ClassPermanent, wantMsg: "554 5.7.1"},
		{name: "wrong_password_is_permanent", cred: func(s *smtpServer) connectors.Values {
			c := credFor(s, TLSStartTLS)
			c[CredentialPassword] = "not-the-password"
			return c
		}, want: connectors.ClassPermanent, wantMsg: "535 5.7.8 Authentication credentials invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSMTPServer(t, false, true)
			if tc.setup != nil {
				tc.setup(s)
			}
			cred := credFor(s, TLSStartTLS)
			if tc.cred != nil {
				cred = tc.cred(s)
			}
			_, err := send(t, s, cred, in)
			if err == nil {
				t.Fatal("the send succeeded")
			}
			if got := connectors.ClassOf(err); got != tc.want {
				t.Fatalf("class = %s, want %s (err: %v)", got, tc.want, err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantMsg)
			}
			for _, secret := range []string{s.pass, "not-the-password"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatal("the error leaks the password")
				}
			}
			if len(s.received()) != 0 {
				t.Fatal("a refused message was recorded")
			}
		})
	}
}

func TestTLSSetupErrors(t *testing.T) {
	in := connectors.Values{"to": "ada@example.com", "subject": "Hi", "text": "Hello"}
	t.Run("starttls_required_but_not_offered", func(t *testing.T) {
		s := newSMTPServer(t, false, false)
		_, err := send(t, s, credFor(s, TLSStartTLS), in)
		if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "does not offer STARTTLS") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("untrusted_certificate", func(t *testing.T) {
		s := newSMTPServer(t, false, true)
		reg := connectortest.Registry(t, newSpec(options{timeout: 5 * time.Second}), "") // system roots
		_, err := reg.Invoke(context.Background(), connectors.Invocation{Connector: Name, Action: "send_email",
			Input: in, Credential: credFor(s, TLSStartTLS), RunID: "run-1", StepID: "notify"})
		if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "TLS certificate is not valid") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("plain_smtp_only_to_localhost", func(t *testing.T) {
		_, err := send(t, nil, connectors.Values{CredentialHost: "smtp.example.com", CredentialTLSMode: TLSNone, CredentialFrom: "a@example.com"}, in)
		if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "credential.tls_mode: none (plain SMTP) is allowed only to localhost") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("connection_refused_is_retried", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		port := int64(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		_, err := send(t, nil, connectors.Values{CredentialHost: "127.0.0.1", CredentialPort: port, CredentialFrom: "a@example.com"}, in)
		if connectors.ClassOf(err) != connectors.ClassRetryable {
			t.Fatalf("err = %v (%s)", err, connectors.ClassOf(err))
		}
	})
	t.Run("ssrf_guard_applies", func(t *testing.T) {
		s := newSMTPServer(t, false, true)
		reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{}) // no allowlist: loopback is internal
		if err != nil {
			t.Fatal(err)
		}
		reg.MustRegister(newSpec(options{roots: s.roots, timeout: 5 * time.Second}))
		_, err = reg.Invoke(context.Background(), connectors.Invocation{Connector: Name, Action: "send_email",
			Input: in, Credential: credFor(s, TLSStartTLS), RunID: "run-1", StepID: "notify"})
		if connectors.ClassOf(err) != connectors.ClassPermanent || len(s.received()) != 0 {
			t.Fatalf("err = %v (%s), want the guard to refuse loopback", err, connectors.ClassOf(err))
		}
	})
}

func TestBadInputNamesTheField(t *testing.T) {
	base := func(kv ...any) connectors.Values {
		v := connectors.Values{"to": "ada@example.com", "subject": "Hi", "text": "Hello"}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(v, kv[i].(string))
			} else {
				v[kv[i].(string)] = kv[i+1]
			}
		}
		return v
	}
	cred := connectors.Values{CredentialHost: "smtp.example.com", CredentialFrom: "orders@shop.example.com"}
	tests := []struct {
		name  string
		cred  connectors.Values
		input connectors.Values
		want  string
	}{
		{name: "missing_to", input: base("to", nil), want: "input.to: required"},
		{name: "bad_to", input: base("to", "ada@example.com, bob"), want: `input.to[1]: "bob" is not an email address`},
		{name: "bad_cc", input: base("cc", []any{"x@"}), want: `input.cc[0]: "x@" is not an email address`},
		{name: "bad_bcc", input: base("bcc", "audit at shop"), want: `input.bcc[0]: "audit at shop" is not an email address`},
		{name: "bad_from", input: base("from", "shop"), want: `input.from[0]: "shop" is not an email address`},
		{name: "bad_reply_to", input: base("reply_to", "support@"), want: `input.reply_to[0]: "support@" is not an email address`},
		{name: "no_from_anywhere", cred: connectors.Values{CredentialHost: "smtp.example.com"}, input: base(), want: "input.from: required: set from here or a default From in the credential"},
		{name: "bad_default_from", cred: connectors.Values{CredentialHost: "smtp.example.com", CredentialFrom: "shop"}, input: base(), want: `credential.from: "shop" is not an email address`},
		{name: "two_line_subject", input: base("subject", "Hi\r\nBcc: victim@example.com"), want: "input.subject: must be one line"},
		{name: "no_body", input: base("text", nil), want: "input.text: set text, html or both"},
		{name: "unknown_tls_mode", cred: connectors.Values{CredentialHost: "smtp.example.com", CredentialFrom: "a@example.com", CredentialTLSMode: "ssl"}, input: base(), want: "credential.tls_mode: must be one of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cred
			if tc.cred != nil {
				c = tc.cred
			}
			_, err := send(t, nil, c, tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v (%s), want permanent %q", err, connectors.ClassOf(err), tc.want)
			}
		})
	}
}

func TestChangingTheServerNeedsThePasswordAgain(t *testing.T) {
	spec := New()
	a := spec.CredentialOrigin(connectors.Values{CredentialHost: "smtp.example.com", CredentialPassword: "x"})
	b := spec.CredentialOrigin(connectors.Values{CredentialHost: "smtp.evil.example", CredentialPassword: "x"})
	c := spec.CredentialOrigin(connectors.Values{CredentialHost: "smtp.example.com", CredentialPort: int64(2525), CredentialPassword: "x"})
	if a != "smtp://smtp.example.com:587" || a == b || a == c {
		t.Fatalf("origins = %q, %q, %q: a change of host or port must change the origin", a, b, c)
	}
	if got := spec.CredentialOrigin(connectors.Values{CredentialHost: "smtp.example.com", CredentialTLSMode: TLSImplicit}); got != "smtp://smtp.example.com:465" {
		t.Fatalf("implicit TLS origin = %q", got)
	}
}

func TestPortForms(t *testing.T) {
	for _, v := range []any{int64(2525), 2525, float64(2525), json.Number("2525")} {
		_, port, _, err := server(connectors.Values{CredentialHost: "smtp.example.com", CredentialPort: v})
		if err != nil || port != 2525 {
			t.Errorf("port %#v: %d, %v", v, port, err)
		}
	}
	for _, v := range []any{int64(0), int64(70000), 25.5, json.Number("x"), "587"} {
		if _, _, _, err := server(connectors.Values{CredentialHost: "smtp.example.com", CredentialPort: v}); err == nil {
			t.Errorf("port %#v accepted", v)
		}
	}
}
