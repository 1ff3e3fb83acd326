package email

import (
	"errors"
	"slices"

	"github.com/wneessen/go-mail/smtp"
)

// errNoMechanism is returned when the server offers no AUTH mechanism the
// connector can use safely on this connection.
var errNoMechanism = errors.New("the server offers no usable AUTH mechanism (want SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, or PLAIN/LOGIN over TLS)")

// autoAuth picks the SMTP AUTH mechanism when the server's EHLO reply is
// known: the strongest of SCRAM-SHA-256, SCRAM-SHA-1 and CRAM-MD5, else
// PLAIN or LOGIN, which send the password itself and are therefore only
// used on a TLS connection (or to localhost). go-mail's own autodiscovery
// does the same but cannot see a TLS connection this connector dials
// itself (implicit TLS through the SSRF guard), so it would never choose
// PLAIN there.
type autoAuth struct {
	user, pass, host string
	chosen           smtp.Auth
}

var _ smtp.Auth = (*autoAuth)(nil)

// Start implements smtp.Auth.
func (a *autoAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	has := func(m string) bool { return slices.Contains(server.Auth, m) }
	switch {
	case has("SCRAM-SHA-256"):
		a.chosen = smtp.ScramSHA256Auth(a.user, a.pass)
	case has("SCRAM-SHA-1"):
		a.chosen = smtp.ScramSHA1Auth(a.user, a.pass)
	case has("CRAM-MD5"):
		a.chosen = smtp.CRAMMD5Auth(a.user, a.pass)
	case has("PLAIN"):
		// PlainAuth itself refuses a connection that is neither TLS nor
		// to localhost (smtp.ErrUnencrypted).
		a.chosen = smtp.PlainAuth("", a.user, a.pass, a.host, false)
	case has("LOGIN"):
		a.chosen = smtp.LoginAuth(a.user, a.pass, a.host, false)
	default:
		return "", nil, errNoMechanism
	}
	return a.chosen.Start(server)
}

// Next implements smtp.Auth.
func (a *autoAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.chosen.Next(fromServer, more)
}
