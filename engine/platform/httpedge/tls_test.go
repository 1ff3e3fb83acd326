package httpedge_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/platform/httpedge"
	"github.com/hookflow/hookflow/engine/platform/httpedge/edgetest"
)

// testHost is the name the test certificates are issued for.
const testHost = "hooks.example.test"

func yearFromNow() time.Time { return time.Now().Add(365 * 24 * time.Hour) }

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// serveTLS serves a 200 "hello" over HTTPS with tc, as engine/platform/app does,
// and returns its address.
func serveTLS(t *testing.T, tc *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }),
		TLSConfig: tc,
		ErrorLog:  slog.NewLogLogger(slog.DiscardHandler, slog.LevelError), // refused handshakes
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// getServed makes an HTTPS request for host on a new connection, trusting
// only roots, and returns the serial number of the certificate served.
func getServed(t *testing.T, addr, host string, roots ...*x509.Certificate) (int64, error) {
	t.Helper()
	resp, err := edgetest.Client(host, giveUp, roots...).Get("https://" + addr + "/")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "hello" {
		t.Fatalf("reply = %d %q, want 200 hello", resp.StatusCode, b)
	}
	return resp.TLS.PeerCertificates[0].SerialNumber.Int64(), nil
}

func TestCertFilesReloadWhenChanged(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	first := edgetest.NewPair(t, testHost, yearFromNow())
	writeFile(t, certFile, first.CertPEM)
	writeFile(t, keyFile, first.KeyPEM)

	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	later := func() { mu.Lock(); defer mu.Unlock(); now = now.Add(httpedge.DefaultCertCheckInterval) }
	var logs edgetest.SyncBuffer
	setup, err := httpedge.NewTLS(httpedge.TLSConfig{CertFile: certFile, KeyFile: keyFile, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// The same files, loaded again with the test's clock.
	files, err := httpedge.LoadCertFiles(httpedge.CertFilesConfig{CertFile: certFile, KeyFile: keyFile, Now: clock,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	setup.Config.GetCertificate = files.GetCertificate
	addr := serveTLS(t, setup.Config)

	second := edgetest.NewPair(t, testHost, yearFromNow())
	third := edgetest.NewPair(t, testHost, yearFromNow())
	roots := []*x509.Certificate{first.Cert, second.Cert, third.Cert}
	expired := edgetest.NewPair(t, testHost, time.Now().Add(-time.Minute))

	steps := []struct {
		name       string
		cert, key  []byte // nil leaves the file alone
		removeKey  bool
		wait       bool // let the check interval pass
		wantSerial int64
		wantLog    string
	}{
		{name: "serves the first pair", wantSerial: first.Cert.SerialNumber.Int64()},
		{name: "a new pair is not read before the interval", cert: second.CertPEM, key: second.KeyPEM, wantSerial: first.Cert.SerialNumber.Int64()},
		{name: "a new pair is served after the interval", wait: true, wantSerial: second.Cert.SerialNumber.Int64(), wantLog: "reloaded TLS certificate"},
		{name: "a certificate with another pair's key keeps the last good one", cert: third.CertPEM, wait: true,
			wantSerial: second.Cert.SerialNumber.Int64(), wantLog: "private key does not match public key"},
		{name: "files that are not PEM keep the last good one", cert: []byte("not a certificate"), key: []byte("nor a key"), wait: true,
			wantSerial: second.Cert.SerialNumber.Int64(), wantLog: "failed to find any PEM data in certificate input"},
		{name: "an expired pair keeps the last good one", cert: expired.CertPEM, key: expired.KeyPEM, wait: true,
			wantSerial: second.Cert.SerialNumber.Int64(), wantLog: "the certificate expired on"},
		{name: "a missing key file keeps the last good one", removeKey: true, wait: true,
			wantSerial: second.Cert.SerialNumber.Int64(), wantLog: "TLS certificate files cannot be read"},
		{name: "a complete new pair is served again", cert: third.CertPEM, key: third.KeyPEM, wait: true,
			wantSerial: third.Cert.SerialNumber.Int64(), wantLog: "reloaded TLS certificate"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			logged := len(logs.String())
			if st.cert != nil {
				writeFile(t, certFile, st.cert)
			}
			if st.key != nil {
				writeFile(t, keyFile, st.key)
			}
			if st.removeKey {
				if err := os.Remove(keyFile); err != nil {
					t.Fatal(err)
				}
			}
			if st.wait {
				later()
			}
			got, err := getServed(t, addr, testHost, roots...)
			if err != nil {
				t.Fatalf("HTTPS request: %v", err)
			}
			if got != st.wantSerial {
				t.Errorf("served certificate %d, want %d", got, st.wantSerial)
			}
			if newLogs := logs.String()[logged:]; !strings.Contains(newLogs, st.wantLog) {
				t.Errorf("log = %q, want it to contain %q", newLogs, st.wantLog)
			}
		})
	}
}

func TestLoadCertFilesNamesTheProblem(t *testing.T) {
	dir := t.TempDir()
	good := edgetest.NewPair(t, testHost, yearFromNow())
	other := edgetest.NewPair(t, testHost, yearFromNow())
	expired := edgetest.NewPair(t, testHost, time.Now().Add(-time.Minute))
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, data)
		return p
	}
	tests := []struct {
		name      string
		cert, key string
		want      string
	}{
		{name: "missing certificate", cert: filepath.Join(dir, "nope.crt"), key: write("a.key", good.KeyPEM), want: "reading TLS certificate: open " + filepath.Join(dir, "nope.crt")},
		{name: "missing key", cert: write("b.crt", good.CertPEM), key: filepath.Join(dir, "nope.key"), want: "reading TLS key: open " + filepath.Join(dir, "nope.key")},
		{name: "key of another certificate", cert: write("c.crt", good.CertPEM), key: write("c.key", other.KeyPEM), want: "loading TLS certificate " + filepath.Join(dir, "c.crt") + " and key " + filepath.Join(dir, "c.key") + ": tls: private key does not match public key"},
		{name: "expired", cert: write("d.crt", expired.CertPEM), key: write("d.key", expired.KeyPEM), want: "the certificate expired on " + expired.Cert.NotAfter.UTC().Format(time.DateOnly)},
		{name: "key and certificate swapped", cert: write("e.crt", good.KeyPEM), key: write("e.key", good.CertPEM), want: "tls: failed to find certificate PEM data in certificate input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := httpedge.NewTLS(httpedge.TLSConfig{CertFile: tc.cert, KeyFile: tc.key})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestNewTLSRefusesMixedSettings(t *testing.T) {
	tests := []struct {
		name string
		cfg  httpedge.TLSConfig
		want string
	}{
		{name: "certificate without key", cfg: httpedge.TLSConfig{CertFile: "tls.crt"}, want: "needs both its certificate file and its key file"},
		{name: "key without certificate", cfg: httpedge.TLSConfig{KeyFile: "tls.key"}, want: "needs both its certificate file and its key file"},
		{name: "files and automatic", cfg: httpedge.TLSConfig{CertFile: "tls.crt", KeyFile: "tls.key", AutoHosts: []string{testHost}}, want: "not both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := httpedge.NewTLS(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if setup, err := httpedge.NewTLS(httpedge.TLSConfig{}); setup != nil || err != nil {
		t.Errorf("NewTLS without settings = %v, %v; want nil, nil (plain HTTP)", setup, err)
	}
}

// TestAutomaticCertificates checks the automatic setup without a
// certificate authority: none is reachable from a test. A certificate
// already in the cache folder is served for the configured host as it
// would be after a restart, and a handshake for any other host is refused
// before the authority would be asked.
func TestAutomaticCertificates(t *testing.T) {
	cacheDir := filepath.Join(t.TempDir(), "data", "autocert")
	const directory = "https://acme.invalid/directory"
	setup, err := httpedge.NewTLS(httpedge.TLSConfig{AutoHosts: []string{testHost}, CacheDir: cacheDir,
		ACMEDirectory: directory, Email: "ops@example.test", HTTPChallenge: true})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("settings reach the manager", func(t *testing.T) {
		info, err := os.Stat(cacheDir)
		if err != nil || !info.IsDir() || info.Mode().Perm() != 0o700 {
			t.Fatalf("cache folder: %v, %v; want a 0700 folder", info, err)
		}
		m := setup.Manager
		if m.Client == nil || m.Client.DirectoryURL != directory || m.Email != "ops@example.test" {
			t.Errorf("manager client %+v email %q", m.Client, m.Email)
		}
		if err := m.HostPolicy(context.Background(), testHost); err != nil {
			t.Errorf("host policy refuses %s: %v", testHost, err)
		}
		if err := m.HostPolicy(context.Background(), "other.example.test"); err == nil {
			t.Error("host policy accepts other.example.test")
		}
		if !strings.Contains(strings.Join(setup.Config.NextProtos, ","), "acme-tls/1") {
			t.Errorf("NextProtos = %v, want acme-tls/1 for tls-alpn-01 challenges", setup.Config.NextProtos)
		}
		if setup.Config.MinVersion != tls.VersionTLS12 {
			t.Errorf("MinVersion = %x, want TLS 1.2", setup.Config.MinVersion)
		}
	})

	cached := edgetest.NewPair(t, testHost, yearFromNow())
	// The cache's format: the private key, then the chain, in one PEM file
	// named after the host.
	writeFile(t, filepath.Join(cacheDir, testHost), append(append([]byte{}, cached.KeyPEM...), cached.CertPEM...))
	addr := serveTLS(t, setup.Config)

	t.Run("a cached certificate is served for the host", func(t *testing.T) {
		got, err := getServed(t, addr, testHost, cached.Cert)
		if err != nil {
			t.Fatal(err)
		}
		if got != cached.Cert.SerialNumber.Int64() {
			t.Errorf("served certificate %d, want the cached %d", got, cached.Cert.SerialNumber.Int64())
		}
	})
	t.Run("another host is refused", func(t *testing.T) {
		_, err := getServed(t, addr, "other.example.test", cached.Cert)
		// The server aborts the handshake with an alert.
		if err == nil || !strings.Contains(err.Error(), "remote error: tls") {
			t.Fatalf("err = %v, want the handshake refused", err)
		}
	})
	t.Run("plain HTTP answers challenges and sends the rest to HTTPS", func(t *testing.T) {
		tests := []struct {
			name, method, host, path string
			wantStatus               int
			wantLocation             string
		}{
			{name: "page", method: http.MethodGet, host: testHost, path: "/ui/?x=1", wantStatus: http.StatusFound, wantLocation: "https://" + testHost + "/ui/?x=1"},
			{name: "webhook", method: http.MethodPost, host: testHost, path: "/hooks/tok", wantStatus: http.StatusBadRequest},
			{name: "challenge for another host", method: http.MethodGet, host: "other.example.test", path: "/.well-known/acme-challenge/tok", wantStatus: http.StatusForbidden},
			{name: "unknown challenge", method: http.MethodGet, host: testHost, path: "/.well-known/acme-challenge/tok", wantStatus: http.StatusNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				req := httptest.NewRequest(tc.method, "http://"+tc.host+tc.path, strings.NewReader("{}"))
				rec := httptest.NewRecorder()
				setup.Challenge.ServeHTTP(rec, req)
				if rec.Code != tc.wantStatus || rec.Header().Get("Location") != tc.wantLocation {
					t.Errorf("%s %s = %d Location %q; want %d %q", tc.method, tc.path, rec.Code, rec.Header().Get("Location"), tc.wantStatus, tc.wantLocation)
				}
			})
		}
	})
}
