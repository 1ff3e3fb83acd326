package paypal

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

// testPKI is a CA and a leaf issued by it, made in the test, standing in
// for PayPal's certificate chain.
type testPKI struct {
	caCert   *x509.Certificate
	caKey    *rsa.PrivateKey
	leaf     *x509.Certificate
	leafKey  *rsa.PrivateKey
	chainPEM []byte
}

var (
	notBefore = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	verifyAt  = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
)

func newPKI(t *testing.T, leafName string) *testPKI {
	t.Helper()
	p := &testPKI{}
	var err error
	if p.caKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test root CA"},
		NotBefore: notBefore.AddDate(-1, 0, 0), NotAfter: notAfter.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, ca, ca, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.caCert, _ = x509.ParseCertificate(der)
	if p.leafKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: leafName, Organization: []string{"PayPal, Inc."}},
		DNSNames: []string{leafName}, NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err = x509.CreateCertificate(rand.Reader, leaf, p.caCert, &p.leafKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.leaf, _ = x509.ParseCertificate(der)
	p.chainPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return p
}

func (p *testPKI) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.caCert)
	return pool
}

// certServer serves p's chain at /v1/notifications/certs/CERT-1 over TLS
// and counts the requests.
func certServer(t *testing.T, p *testPKI) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/v1/notifications/certs/CERT-") {
			http.NotFound(w, r)
			return
		}
		w.Write(p.chainPEM)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// source allows only the test server's host:port, the injection a test
// needs; production's list has PayPal's hosts only.
func source(srv *httptest.Server, p *testPKI) *certSource {
	return newCertSource([]string{srv.Listener.Addr().String()}, paypalCertNames, p.roots(), srv.Client())
}

const testWebhookID = "8PT597110X687430LKGECATA"

// signed builds a delivery signed the way PayPal signs, with key.
func signed(t *testing.T, key *rsa.PrivateKey, certURL, body string, at time.Time) *connectors.Request {
	t.Helper()
	tid, ts := "b2384410-f8d2-11ee-a6a4-9b4e6a3e1a2f", at.UTC().Format(time.RFC3339)
	sum := sha256.Sum256([]byte(SignedString(tid, ts, testWebhookID, []byte(body))))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return connectortest.NewRequest(body, HeaderTransmissionID, tid, HeaderTransmissionTime, ts,
		HeaderTransmissionSig, base64.StdEncoding.EncodeToString(sig), HeaderCertURL, certURL, HeaderAuthAlgo, AuthAlgo)
}

func TestSignedString(t *testing.T) {
	// CRC32 (IEEE) of "hello" is 907060870 (0x3610a686), written unsigned.
	if got := SignedString("tid", "2026-12-01T12:00:00Z", "WH1", []byte("hello")); got != "tid|2026-12-01T12:00:00Z|WH1|907060870" {
		t.Fatalf("signed string = %q", got)
	}
	// A CRC above 2^31 stays positive, as PayPal's SDKs write it.
	if got := SignedString("a", "b", "c", []byte("PayPal")); !strings.HasPrefix(got, "a|b|c|") || strings.Contains(got, "-") {
		t.Fatalf("signed string = %q", got)
	}
}

func TestVerifyWithGeneratedPKI(t *testing.T) {
	p := newPKI(t, "messageverificationcerts.paypal.com")
	srv, hits := certServer(t, p)
	v := Verifier{certs: source(srv, p)}
	certURL := srv.URL + "/v1/notifications/certs/CERT-1"
	body := `{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"amount":{"value":"125.00"}}}`
	cred := connectors.Values{CredentialWebhookID: testWebhookID}
	r := signed(t, p.leafKey, certURL, body, verifyAt)
	for i := 0; i < 3; i++ {
		if got := connectortest.Reason(t, v.Verify(r, cred, verifyAt.Add(time.Minute))); got != "" {
			t.Fatalf("verify %d: refused: %s", i, got)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("certificate fetched %d times, want 1 (cached by URL)", n)
	}

	tests := []struct {
		name string
		req  *connectors.Request
		cred connectors.Values
		now  time.Time
		want string
	}{
		{name: "other_webhook_id", req: r, cred: connectors.Values{CredentialWebhookID: "WH0THERWEBHOOK00"}, now: verifyAt, want: signature.ReasonBadSignature},
		{name: "tampered_body", req: func() *connectors.Request {
			c := *r
			c.Body = []byte(strings.Replace(body, "125", "925", 1))
			return &c
		}(),
			cred: cred, now: verifyAt, want: signature.ReasonBadSignature},
		{name: "stale", req: r, cred: cred, now: verifyAt.Add(Tolerance + time.Second), want: signature.ReasonStaleTimestamp},
		{name: "future", req: r, cred: cred, now: verifyAt.Add(-Tolerance - time.Second), want: signature.ReasonFutureTimestamp},
		{name: "other_algorithm", req: withHeader(r, HeaderAuthAlgo, "SHA1withRSA"), cred: cred, now: verifyAt, want: "malformed header Paypal-Auth-Algo"},
		{name: "time_not_rfc3339", req: withHeader(r, HeaderTransmissionTime, "Tue, 01 Dec 2026 12:00:00 GMT"), cred: cred, now: verifyAt,
			want: "malformed header Paypal-Transmission-Time"},
		{name: "no_cert_url", req: withHeader(r, HeaderCertURL, ""), cred: cred, now: verifyAt, want: "missing header Paypal-Cert-Url"},
		{name: "no_transmission_id", req: withHeader(r, HeaderTransmissionID, ""), cred: cred, now: verifyAt, want: "missing header Paypal-Transmission-Id"},
		{name: "cert_not_found", req: signed(t, p.leafKey, srv.URL+"/v1/notifications/certs/missing", body, verifyAt), cred: cred, now: verifyAt,
			want: "certificate download answered 404"},
		{name: "signed_by_another_key", req: signed(t, p.caKey, certURL, body, verifyAt), cred: cred, now: verifyAt, want: signature.ReasonBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := connectortest.Reason(t, v.Verify(tc.req, tc.cred, tc.now)); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}

func withHeader(r *connectors.Request, name, value string) *connectors.Request {
	c := *r
	c.Header = r.Header.Clone()
	if value == "" {
		c.Header.Del(name)
	} else {
		c.Header.Set(name, value)
	}
	return &c
}

func TestCertificateChecks(t *testing.T) {
	body := `{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}`
	cred := connectors.Values{CredentialWebhookID: testWebhookID}

	t.Run("expired_certificate", func(t *testing.T) {
		p := newPKI(t, "messageverificationcerts.paypal.com")
		srv, _ := certServer(t, p)
		at := notAfter.Add(time.Hour)
		r := signed(t, p.leafKey, srv.URL+"/v1/notifications/certs/CERT-1", body, at)
		if got := connectortest.Reason(t, Verifier{certs: source(srv, p)}.Verify(r, cred, at)); got != "certificate is expired or not yet valid" {
			t.Fatalf("reason = %q", got)
		}
	})
	t.Run("untrusted_root", func(t *testing.T) {
		p, other := newPKI(t, "messageverificationcerts.paypal.com"), newPKI(t, "x")
		srv, _ := certServer(t, p)
		src := newCertSource([]string{srv.Listener.Addr().String()}, paypalCertNames, other.roots(), srv.Client())
		r := signed(t, p.leafKey, srv.URL+"/v1/notifications/certs/CERT-1", body, verifyAt)
		if got := connectortest.Reason(t, Verifier{certs: src}.Verify(r, cred, verifyAt)); got != "certificate does not chain to a trusted root" {
			t.Fatalf("reason = %q", got)
		}
		if len(src.cache) != 0 {
			t.Fatal("a refused certificate was cached")
		}
	})
	t.Run("certificate_of_another_name", func(t *testing.T) {
		p := newPKI(t, "www.example.com")
		srv, _ := certServer(t, p)
		r := signed(t, p.leafKey, srv.URL+"/v1/notifications/certs/CERT-1", body, verifyAt)
		if got := connectortest.Reason(t, Verifier{certs: source(srv, p)}.Verify(r, cred, verifyAt)); got != "certificate is not issued to PayPal's message verification name" {
			t.Fatalf("reason = %q", got)
		}
	})
	t.Run("cache_is_bounded", func(t *testing.T) {
		p := newPKI(t, "messageverificationcerts.sandbox.paypal.com")
		srv, hits := certServer(t, p)
		src := source(srv, p)
		for i := 0; i < certCacheSize+4; i++ {
			u := fmt.Sprintf("%s/v1/notifications/certs/CERT-%d", srv.URL, i)
			if _, err := src.leaf(t.Context(), u, verifyAt); err != nil {
				t.Fatal(err)
			}
		}
		if len(src.cache) != certCacheSize || len(src.order) != certCacheSize {
			t.Fatalf("cache holds %d entries, want the bound %d", len(src.cache), certCacheSize)
		}
		// The newest are kept, the oldest evicted and fetched again.
		before := hits.Load()
		src.leaf(t.Context(), fmt.Sprintf("%s/v1/notifications/certs/CERT-%d", srv.URL, certCacheSize+3), verifyAt)
		src.leaf(t.Context(), srv.URL+"/v1/notifications/certs/CERT-0", verifyAt)
		if got := hits.Load() - before; got != 1 {
			t.Fatalf("%d fetches, want 1 (only the evicted URL)", got)
		}
	})
}

// TestProductionRefusesOtherHosts checks PayPal's own allowlist: a
// delivery naming any other certificate URL is refused before anything
// is fetched, so a forger cannot bring their own certificate.
func TestProductionRefusesOtherHosts(t *testing.T) {
	p := newPKI(t, "messageverificationcerts.paypal.com")
	srv, hits := certServer(t, p)
	body := `{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}`
	r := signed(t, p.leafKey, srv.URL+"/v1/notifications/certs/CERT-1", body, verifyAt)
	if got := connectortest.Reason(t, New().Triggers[0].Verifier.Verify(r, connectors.Values{CredentialWebhookID: testWebhookID}, verifyAt)); got != "certificate URL is not on a PayPal host" {
		t.Fatalf("reason = %q", got)
	}
	if hits.Load() != 0 {
		t.Fatal("the production verifier fetched a certificate from a non-PayPal host")
	}
	for _, tc := range []struct{ url, want string }{
		{"https://api.paypal.com/v1/notifications/certs/CERT-360caa42", ""},
		{"https://API.Sandbox.PayPal.com/v1/notifications/certs/CERT-1", ""},
		{"https://api-m.paypal.com:443/v1/notifications/certs/CERT-1", ""},
		{"http://api.paypal.com/v1/notifications/certs/CERT-1", "certificate URL is not an https URL"},
		{"https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1", "certificate URL is not on a PayPal host"},
		{"https://evilapi.paypal.com/v1/notifications/certs/CERT-1", "certificate URL is not on a PayPal host"},
		{"https://www.paypal.com/v1/notifications/certs/CERT-1", "certificate URL is not on a PayPal host"},
		{"https://api.paypal.com@evil.example/v1/notifications/certs/CERT-1", "certificate URL is not an https URL"},
		{"https://api.paypal.com:8443/v1/notifications/certs/CERT-1", "certificate URL is not on a PayPal host"},
		{"https://127.0.0.1/v1/notifications/certs/CERT-1", "certificate URL is not on a PayPal host"},
		{"https://api.paypal.com/v1/oauth2/token", "certificate URL is not under /v1/notifications/certs/"},
		{"https://api.paypal.com/v1/notifications/certs/../../v1/oauth2/token", "certificate URL is not under /v1/notifications/certs/"},
		{"https://api.paypal.com/v1/notifications/certs/CERT-1?x=1", "certificate URL is not an https URL"},
		{"file:///etc/passwd", "certificate URL is not an https URL"},
	} {
		_, err := defaultCertSource.checkURL(tc.url)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.url, got, tc.want)
		}
	}
}

// TestConcurrentDeliveriesFetchOnce checks a burst of deliveries naming a
// certificate not yet cached downloads it once.
func TestConcurrentDeliveriesFetchOnce(t *testing.T) {
	p := newPKI(t, "messageverificationcerts.paypal.com")
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-release
		w.Write(p.chainPEM)
	}))
	t.Cleanup(srv.Close)
	v := Verifier{certs: source(srv, p)}
	body := `{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}`
	r := signed(t, p.leafKey, srv.URL+"/v1/notifications/certs/CERT-1", body, verifyAt)
	errs := make(chan error, 8)
	for range 8 {
		go func() { errs <- v.Verify(r, connectors.Values{CredentialWebhookID: testWebhookID}, verifyAt) }()
	}
	// Let the first download reach the server before releasing it; the
	// others find it in flight or, if they start later, in the cache.
	for hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range 8 {
		if got := connectortest.Reason(t, <-errs); got != "" {
			t.Fatalf("refused: %s", got)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d downloads for one certificate, want 1", n)
	}
}

// TestMissingIntermediateIsFetchedFromTheIssuerURL serves the leaf alone,
// as PayPal may, and checks the intermediate named by the leaf's issuer
// (AIA) URL is fetched from an allowed issuer host, and only from one.
func TestMissingIntermediateIsFetchedFromTheIssuerURL(t *testing.T) {
	rootKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(10), Subject: pkix.Name{CommonName: "test root"}, NotBefore: notBefore.AddDate(-1, 0, 0),
		NotAfter: notAfter.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	rootDER, _ := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	root, _ := x509.ParseCertificate(rootDER)
	interKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	interTmpl := &x509.Certificate{SerialNumber: big.NewInt(11), Subject: pkix.Name{CommonName: "test intermediate"}, NotBefore: notBefore.AddDate(-1, 0, 0),
		NotAfter: notAfter.AddDate(4, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, MaxPathLenZero: true}
	interDER, _ := x509.CreateCertificate(rand.Reader, interTmpl, root, &interKey.PublicKey, rootKey)
	inter, _ := x509.ParseCertificate(interDER)

	var issuerHits atomic.Int32
	var leafPEM []byte
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/issuer.crt" {
			issuerHits.Add(1)
			w.Header().Set("Content-Type", "application/pkix-cert")
			w.Write(interDER) // DER, as CA issuer URLs serve it
			return
		}
		w.Write(leafPEM)
	}))
	t.Cleanup(srv.Close)
	leafKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(12), Subject: pkix.Name{CommonName: "messageverificationcerts.paypal.com"},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		IssuingCertificateURL: []string{srv.URL + "/issuer.crt"}}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafTmpl, inter, &leafKey.PublicKey, interKey)
	leafPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})

	roots := x509.NewCertPool()
	roots.AddCert(root)
	host := srv.Listener.Addr().String()
	body := `{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}`
	r := signed(t, leafKey, srv.URL+"/v1/notifications/certs/CERT-1", body, verifyAt)
	cred := connectors.Values{CredentialWebhookID: testWebhookID}

	src := newCertSource([]string{host}, paypalCertNames, roots, srv.Client())
	src.issuer = []string{host}
	for range 2 {
		if got := connectortest.Reason(t, Verifier{certs: src}.Verify(r, cred, verifyAt)); got != "" {
			t.Fatalf("refused: %s", got)
		}
	}
	if n := issuerHits.Load(); n != 1 {
		t.Fatalf("intermediate fetched %d times, want once (cached with the chain)", n)
	}

	// The production issuer hosts do not include the test server.
	strict := newCertSource([]string{host}, paypalCertNames, roots, srv.Client())
	if got := connectortest.Reason(t, Verifier{certs: strict}.Verify(r, cred, verifyAt)); got != "certificate does not chain to a trusted root" {
		t.Fatalf("reason = %q", got)
	}
	if n := issuerHits.Load(); n != 1 {
		t.Fatal("an intermediate was fetched from a host that is not an allowed issuer host")
	}
}
