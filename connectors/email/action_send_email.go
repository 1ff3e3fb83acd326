package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/textproto"
	"regexp"
	"strings"

	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/hookflow/hookflow/connectors"
)

func sendEmailAction(o options) *connectors.Action {
	return &connectors.Action{
		Name:  "send_email",
		Title: "Send an email",
		Description: "Send an email over SMTP, as plain text, HTML or both. The Message-ID is derived from the step, so a " +
			"retried step sends the same Message-ID and receiving systems can recognise a duplicate.",
		Input: []connectors.Field{
			{Name: "to", Title: "To", Type: connectors.TypeAny, Required: true, Example: "ada@example.com",
				Help: "One address, a comma-separated list, or an array of addresses."},
			{Name: "cc", Title: "Cc", Type: connectors.TypeAny},
			{Name: "bcc", Title: "Bcc", Type: connectors.TypeAny, Help: "Receive the email without being listed in its headers."},
			{Name: "from", Title: "From", Type: connectors.TypeString, Example: "Shop <orders@shop.example.com>",
				Help: "Empty uses the credential's default From."},
			{Name: "reply_to", Title: "Reply-To", Type: connectors.TypeString},
			{Name: "subject", Title: "Subject", Type: connectors.TypeString, Required: true, Example: "Your order #727"},
			{Name: "text", Title: "Text body", Type: connectors.TypeString},
			{Name: "html", Title: "HTML body", Type: connectors.TypeString,
				Help: "Set text, html or both; with both, the email is multipart/alternative and clients pick what they can show."},
		},
		OutputSample: json.RawMessage(`{"message_id":"<3f1c9a0e2b7d4c5a8e6f1a2b3c4d5e6f@shop.example.com>","recipients":["ada@example.com"],"server":"smtp.example.com:587"}`),
		Run: func(ctx context.Context, call *connectors.Call) (any, error) {
			return runSendEmail(ctx, call, o)
		},
	}
}

// maxSubject bounds the subject; RFC 5322 lines are limited to 998
// characters and go-mail folds, but a subject this long is a mapping gone
// wrong.
const maxSubject = 998

func runSendEmail(ctx context.Context, call *connectors.Call, o options) (any, error) {
	msg, rcpts, err := buildMessage(call)
	if err != nil {
		return nil, err
	}
	client, server, err := newClient(call, o)
	if err != nil {
		return nil, err
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return nil, classify(server, err)
	}
	return map[string]any{"message_id": msg.GetMessageID(), "recipients": rcpts, "server": server}, nil
}

// buildMessage turns the input into a message, refusing bad addresses
// with the field that holds them.
func buildMessage(call *connectors.Call) (*mail.Msg, []string, error) {
	in := call.Input
	from := in.String("from")
	fromField := "from"
	if from == "" {
		from, fromField = call.Credential.String(CredentialFrom), "credential.from"
	}
	if from == "" {
		return nil, nil, connectors.InputError("from", "required: set from here or a default From in the credential")
	}
	fromList, err := connectors.EmailAddresses(connectors.Values{fromField: from}, fromField)
	if err != nil {
		if fromField == "credential.from" {
			return nil, nil, connectors.Permanent(fmt.Errorf("credential.from: %q is not an email address", from))
		}
		return nil, nil, err
	}
	if len(fromList) != 1 {
		return nil, nil, connectors.InputError("from", "want exactly one address")
	}
	m := mail.NewMsg()
	m.FromMailAddress(fromList[0])
	var rcpts []string
	seen := map[string]bool{}
	for _, field := range []string{"to", "cc", "bcc"} {
		list, err := connectors.EmailAddresses(in, field)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range list {
			if strings.ContainsAny(a.Address, "\r\n") {
				return nil, nil, connectors.InputError(field, "an address contains a line break")
			}
			if k := strings.ToLower(a.Address); !seen[k] {
				seen[k] = true
				rcpts = append(rcpts, a.Address)
			}
		}
		switch field {
		case "to":
			if len(list) == 0 {
				return nil, nil, connectors.InputError("to", "required: at least one address")
			}
			m.ToMailAddress(list...)
		case "cc":
			m.CcMailAddress(list...)
		case "bcc":
			m.BccMailAddress(list...)
		}
	}
	if in.String("reply_to") != "" {
		list, err := connectors.EmailAddresses(in, "reply_to")
		if err != nil {
			return nil, nil, err
		}
		m.ReplyToMailAddress(list...)
	}
	subject := in.String("subject")
	switch {
	case strings.TrimSpace(subject) == "":
		return nil, nil, connectors.InputError("subject", "required")
	case len(subject) > maxSubject:
		return nil, nil, connectors.InputError("subject", fmt.Sprintf("at most %d characters, got %d", maxSubject, len(subject)))
	case strings.ContainsAny(subject, "\r\n"):
		// go-mail encodes headers, but a line break in a subject is
		// always a mapping mistake worth reporting.
		return nil, nil, connectors.InputError("subject", "must be one line")
	}
	m.Subject(subject)
	text, html := in.String("text"), in.String("html")
	switch {
	case text != "" && html != "":
		m.SetBodyString(mail.TypeTextPlain, text)
		m.AddAlternativeString(mail.TypeTextHTML, html)
	case text != "":
		m.SetBodyString(mail.TypeTextPlain, text)
	case html != "":
		m.SetBodyString(mail.TypeTextHTML, html)
	default:
		return nil, nil, connectors.InputError("text", "set text, html or both")
	}
	// A retried step sends the same Message-ID: receivers that dedupe on
	// it (most do within a mailbox) show the email once.
	domain := fromList[0].Address[strings.LastIndexByte(fromList[0].Address, '@')+1:]
	m.SetMessageIDWithValue(call.IdempotencyKey + "@" + domain)
	m.SetDate()
	return m, rcpts, nil
}

// newClient configures go-mail from the credential. It returns the
// server as host:port for messages.
func newClient(call *connectors.Call, o options) (*mail.Client, string, error) {
	cred := call.Credential
	host, port, mode, err := server(cred)
	if err != nil {
		return nil, "", err
	}
	timeout := o.timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tlsConf := o.tlsConfig(host)
	// The policy covers STARTTLS only; implicit TLS is done by dial
	// below, so go-mail sees an established TLS connection.
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(timeout), mail.WithTLSConfig(tlsConf), mail.WithTLSPolicy(mail.NoTLS)}
	switch mode {
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case TLSImplicit, TLSNone:
	default:
		return nil, "", connectors.Permanent(fmt.Errorf("credential.%s: unknown mode %q", CredentialTLSMode, mode))
	}
	if user := cred.String(CredentialUsername); user != "" {
		opts = append(opts, mail.WithSMTPAuthCustom(&autoAuth{user: user, pass: cred.String(CredentialPassword), host: host}))
	}
	// The connection goes through the SSRF guard when the registry has
	// one, like every user-typed URL.
	dialer := &net.Dialer{Timeout: timeout}
	dial := dialer.DialContext
	if call.HTTP != nil && call.HTTP.Guarded() {
		guard, err := connectors.NewGuard(call.HTTP.Config().Allow)
		if err != nil {
			return nil, "", connectors.Permanent(fmt.Errorf("configuring the SSRF guard: %w", err))
		}
		dial = guard.DialContext(dialer)
	}
	opts = append(opts, mail.WithDialContextFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := dial(ctx, network, address)
		if err != nil || mode != TLSImplicit {
			return conn, err
		}
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tc, nil
	}))
	client, err := mail.NewClient(host, opts...)
	if err != nil {
		return nil, "", connectors.Permanent(fmt.Errorf("configuring SMTP client: %w", err))
	}
	return client, net.JoinHostPort(host, fmt.Sprint(port)), nil
}

// server reads the SMTP server a credential names: host, port (the TLS
// mode's usual port when empty) and TLS mode.
func server(cred connectors.Values) (host string, port int, mode string, err error) {
	host = strings.Trim(cred.String(CredentialHost), "[]")
	if host == "" {
		return "", 0, "", connectors.Permanent(errors.New("credential.host: required"))
	}
	mode = cred.String(CredentialTLSMode)
	if mode == "" {
		mode = TLSStartTLS
	}
	port = 587
	switch mode {
	case TLSImplicit:
		port = 465
	case TLSNone:
		port = 25
		if !isLoopback(host) {
			return "", 0, "", connectors.Permanent(fmt.Errorf("credential.%s: none (plain SMTP) is allowed only to localhost; %s needs starttls or tls", CredentialTLSMode, host))
		}
	}
	if v, ok := cred[CredentialPort]; ok && v != nil {
		// Validated credentials hold int64; stored ones decoded for
		// OriginFrom may hold a json.Number or a float64.
		var p int64
		switch x := v.(type) {
		case int64:
			p = x
		case int:
			p = int64(x)
		case float64:
			p = int64(x)
			if float64(p) != x {
				p = -1
			}
		case json.Number:
			if p, err = x.Int64(); err != nil {
				p = -1
			}
		default:
			p = -1
		}
		if p < 1 || p > 65535 {
			return "", 0, "", connectors.Permanent(fmt.Errorf("credential.%s: %v is not a TCP port", CredentialPort, v))
		}
		port = int(p)
	}
	return host, port, mode, nil
}

// origin is where a credential's password goes, for
// connectors.Spec.OriginFrom: changing the server of a saved credential
// then requires the password again.
func origin(cred connectors.Values) string {
	host, port, _, err := server(cred)
	if err != nil {
		if h := cred.String(CredentialHost); h != "" {
			return "smtp://" + h
		}
		return ""
	}
	return "smtp://" + net.JoinHostPort(host, fmt.Sprint(port))
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}

// quotedReply matches an SMTP reply as net/textproto renders it, 550
// "5.1.1 User unknown", to print it as the server sent it.
var quotedReply = regexp.MustCompile(`\b([245][0-9][0-9]) "((?:[^"\\]|\\.)*)"`)

// classify gives an SMTP failure its class: the server's reply code
// decides when there is one (5xx permanent, 4xx transient); TLS and
// authentication setup problems are permanent, since retrying cannot fix
// a certificate or a wrong mode; network failures are retryable.
func classify(server string, err error) error {
	// Status stays 0: it means an HTTP status to readers of an *Error,
	// and the SMTP reply code is in the message instead.
	wrap := func(class connectors.Class, _ int, msg string) error {
		return &connectors.Error{Class: class, Message: "sending email via " + server + ": " + quotedReply.ReplaceAllString(msg, "$1 $2"), Err: err}
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 500 {
			return wrap(connectors.ClassPermanent, code, se.Error())
		} else if code >= 400 || se.IsTemp() {
			return wrap(connectors.ClassRetryable, code, se.Error())
		}
		if se.Reason == mail.ErrNoUnencoded || se.Reason == mail.ErrGetSender || se.Reason == mail.ErrGetRcpts {
			return wrap(connectors.ClassPermanent, 0, se.Error())
		}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		switch {
		case te.Code >= 500:
			return wrap(connectors.ClassPermanent, te.Code, fmt.Sprintf("the server refused: %d %s", te.Code, te.Msg))
		case te.Code >= 400:
			return wrap(connectors.ClassRetryable, te.Code, fmt.Sprintf("the server deferred: %d %s", te.Code, te.Msg))
		}
	}
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var blocked *connectors.BlockedError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return wrap(connectors.ClassPermanent, 0, "the server's TLS certificate is not valid for "+server+": "+err.Error())
	case errors.As(err, &blocked):
		return wrap(connectors.ClassPermanent, 0, err.Error())
	case errors.Is(err, smtp.ErrUnencrypted), errors.Is(err, errNoMechanism):
		return wrap(connectors.ClassPermanent, 0, "authentication is not possible: "+err.Error()+
			" (use starttls or tls, or a server that offers a supported AUTH mechanism)")
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		return wrap(connectors.ClassPermanent, 0, "the server does not offer STARTTLS; choose tls (port 465) or, for a local relay, none")
	case strings.Contains(err.Error(), "does not support SMTP AUTH"):
		return wrap(connectors.ClassPermanent, 0, "the server does not offer SMTP AUTH; leave the username empty if it relays without it")
	}
	return wrap(connectors.ClassRetryable, 0, err.Error())
}
