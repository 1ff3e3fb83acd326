package email

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server for the tests, on a loopback
// listener. It speaks what a submission server needs: EHLO, STARTTLS
// (with a certificate made for the test), AUTH PLAIN, MAIL, RCPT, DATA,
// RSET, NOOP and QUIT, and records each accepted message. Replies for
// MAIL and RCPT can be scripted to test the error classes.
type smtpServer struct {
	t        *testing.T
	ln       net.Listener
	tlsConf  *tls.Config
	roots    *x509.CertPool
	implicit bool // TLS from the first byte (port 465 style)
	startTLS bool // offer STARTTLS
	user     string
	pass     string

	mu       sync.Mutex
	messages []received
	// mailReply and rcptReply, when set, answer MAIL FROM / RCPT TO
	// instead of 250 (rcptReply only for the address rejectRcpt).
	mailReply   string
	rejectRcpt  string
	rcptReply   string
	sawAuth     string // the mechanism of the last AUTH
	authOverTLS bool
}

// received is one message as the server got it.
type received struct {
	from string
	rcpt []string
	data string
}

func newSMTPServer(t *testing.T, implicit, startTLS bool) *smtpServer {
	t.Helper()
	s := &smtpServer{t: t, implicit: implicit, startTLS: startTLS, user: "apikey", pass: "s3cret-smtp-password"}
	cert, roots := testCertificate(t)
	s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.roots = roots
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening for the test SMTP server: %v", err)
	}
	if implicit {
		ln = tls.NewListener(ln, s.tlsConf)
	}
	s.ln = ln
	t.Cleanup(func() { ln.Close() })
	go s.serve()
	return s
}

func (s *smtpServer) port() int64 { return int64(s.ln.Addr().(*net.TCPAddr).Port) }

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

func (s *smtpServer) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(conn)
	}
}

func (s *smtpServer) session(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, isTLS := conn.(*tls.Conn)
	r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
	reply := func(lines ...string) {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		w.Flush()
	}
	reply("220 mail.test ESMTP hookflow-test")
	var cur *received
	authed := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"250-mail.test greets you", "250-8BITMIME", "250-SMTPUTF8"}
			if s.startTLS && !isTLS {
				lines = append(lines, "250-STARTTLS")
			}
			lines = append(lines, "250-AUTH PLAIN", "250 SIZE 10240000")
			reply(lines...)
		case "STARTTLS":
			if !s.startTLS || isTLS {
				reply("502 5.5.1 STARTTLS not available")
				continue
			}
			reply("220 2.0.0 Ready to start TLS")
			tc := tls.Server(conn, s.tlsConf)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, isTLS = tc, true
			r, w = bufio.NewReader(conn), bufio.NewWriter(conn)
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply("504 5.5.4 Unrecognized authentication type")
				continue
			}
			if initial == "" {
				reply("334 ")
				initial, _ = r.ReadString('\n')
				initial = strings.TrimSpace(initial)
			}
			raw, err := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(raw), "\x00")
			s.mu.Lock()
			s.sawAuth, s.authOverTLS = "PLAIN", isTLS
			s.mu.Unlock()
			if err != nil || len(parts) != 3 || parts[1] != s.user || parts[2] != s.pass {
				reply("535 5.7.8 Authentication credentials invalid")
				continue
			}
			authed = true
			reply("235 2.7.0 Authentication successful")
		case "MAIL":
			if s.user != "" && !authed {
				reply("530 5.7.0 Authentication required")
				continue
			}
			s.mu.Lock()
			mr := s.mailReply
			s.mu.Unlock()
			if mr != "" {
				reply(mr)
				continue
			}
			cur = &received{from: addrOf(arg)}
			reply("250 2.1.0 Ok")
		case "RCPT":
			if cur == nil {
				reply("503 5.5.1 Need MAIL first")
				continue
			}
			a := addrOf(arg)
			s.mu.Lock()
			rej, rr := s.rejectRcpt, s.rcptReply
			s.mu.Unlock()
			if rej != "" && strings.EqualFold(a, rej) {
				reply(rr)
				continue
			}
			cur.rcpt = append(cur.rcpt, a)
			reply("250 2.1.5 Ok")
		case "DATA":
			if cur == nil || len(cur.rcpt) == 0 {
				reply("503 5.5.1 Need RCPT first")
				continue
			}
			reply("354 End data with <CR><LF>.<CR><LF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.data = b.String()
			s.mu.Lock()
			s.messages = append(s.messages, *cur)
			s.mu.Unlock()
			cur = nil
			reply("250 2.0.0 Ok: queued as 4BJZJW2rTZz9v")
		case "RSET":
			cur = nil
			reply("250 2.0.0 Ok")
		case "NOOP":
			reply("250 2.0.0 Ok")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			reply("502 5.5.2 Error: command not recognized")
		}
	}
}

func addrOf(arg string) string {
	i, j := strings.IndexByte(arg, '<'), strings.IndexByte(arg, '>')
	if i < 0 || j < i {
		return ""
	}
	return arg[i+1 : j]
}

// testCertificate makes a self-signed certificate for localhost and
// 127.0.0.1, and a pool trusting it.
func testCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign, IsCA: true,
		BasicConstraintsValid: true, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
