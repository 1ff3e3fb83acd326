package paypal

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

// TestTriggerConformance replays the recorded deliveries, whose
// Paypal-Cert-Url names PayPal's sandbox host. The certificate source
// keeps the production host allowlist and names; only the network and
// the roots are the test's: every connection is dialled to a local TLS
// server serving testdata/cert_chain.pem, which chains to
// testdata/test_root_ca.pem.
func TestTriggerConformance(t *testing.T) {
	chain, err := os.ReadFile("testdata/cert_chain.pem")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(chain)
	}))
	defer srv.Close()
	src := newCertSource(paypalCertHosts, paypalCertNames, testRoots(t, "testdata/test_root_ca.pem"), pinnedClient(srv))
	connectortest.RunTriggers(t, newSpec(src))
	if n := src.fetches(); n != 1 {
		t.Errorf("the certificate was downloaded %d times, want once (then cached)", n)
	}
}

func testRoots(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", file)
	}
	return pool
}

// pinnedClient sends every request to srv, whatever host the URL names,
// trusting srv's own TLS certificate (issued to example.com).
func pinnedClient(srv *httptest.Server) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	addr := srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
	}}
}
