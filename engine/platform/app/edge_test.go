package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/platform/httpedge/edgetest"
)

// giveUp bounds the waits of these tests; reaching it means what is
// tested did not happen at all.
const giveUp = 15 * time.Second

// echoComponent mounts an echo of the body on /echo and /hooks/:token, and
// tells entered about each request it starts serving.
func echoComponent(entered chan<- string) app.Component {
	return app.Component{Name: "echo", Mount: func(r *gin.Engine, deps app.Deps) error {
		echo := func(c *gin.Context) {
			if entered != nil {
				entered <- c.Request.URL.Path
			}
			b, err := io.ReadAll(c.Request.Body)
			if err != nil {
				c.String(http.StatusBadRequest, "reading request body: "+err.Error())
				return
			}
			c.String(http.StatusOK, string(b))
		}
		r.POST("/echo", echo)
		r.POST("/hooks/:token", echo)
		return nil
	}}
}

// start builds and runs an API process, stopping it at the end of the test.
func start(t *testing.T, cfg config.Config, comps ...app.Component) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), cfg, app.Options{Role: app.RoleAPI, Components: comps, Migrate: true})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return a
}

// dribble sends the headers of a webhook delivery announcing 1,000 body
// bytes, then one byte every interval until the connection fails or the
// test ends.
func dribble(t *testing.T, addr string, interval time.Duration) net.Conn {
	t.Helper()
	stop := make(chan struct{})
	conn := edgetest.Dribble(t, addr, "/hooks/tok", interval, stop)
	t.Cleanup(func() { close(stop); conn.Close() })
	return conn
}

func TestSlowWebhookBodyGetsConnectionClosed(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTPBodyTimeout = 300 * time.Millisecond
	a := start(t, cfg, echoComponent(nil))

	conn := dribble(t, a.Addr().String(), 50*time.Millisecond)
	if err := conn.SetReadDeadline(time.Now().Add(giveUp)); err != nil {
		t.Fatal(err)
	}
	reply, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the slow connection was kept open; read so far: %q", reply)
	}
	if !strings.HasPrefix(string(reply), "HTTP/1.1 400") || !strings.Contains(string(reply), "not received within 300ms") {
		t.Errorf("reply = %q, want 400 naming the body deadline", reply)
	}
}

func TestWebhookBodiesInFlightAreCapped(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxInFlightWebhooks = 1
	entered := make(chan string, 4)
	a := start(t, cfg, echoComponent(entered))
	base := "http://" + a.Addr().String()

	dribble(t, a.Addr().String(), time.Second)
	select {
	case <-entered:
	case <-time.After(giveUp):
		t.Fatal("the slow delivery never reached the handler")
	}
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantRetry  string
	}{
		{name: "a second webhook body is refused", path: "/hooks/tok", wantStatus: http.StatusServiceUnavailable, wantRetry: "1"},
		{name: "API requests are not counted", path: "/echo", wantStatus: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := &http.Client{Timeout: giveUp, Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := client.Post(base+tc.path, "application/json", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus || resp.Header.Get("Retry-After") != tc.wantRetry {
				t.Errorf("POST %s = %d Retry-After %q, want %d %q", tc.path, resp.StatusCode, resp.Header.Get("Retry-After"), tc.wantStatus, tc.wantRetry)
			}
		})
	}
}

func TestServesHTTPSFromFilesAndPicksUpNewOnes(t *testing.T) {
	const host = "hooks.example.test"
	dir := t.TempDir()
	cfg := testConfig(t)
	cfg.TLSCert, cfg.TLSKey = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	cfg.PublicURL = "https://" + host
	first, second := edgetest.NewPair(t, host, time.Now().Add(24*time.Hour)), edgetest.NewPair(t, host, time.Now().Add(24*time.Hour))
	first.Write(t, cfg.TLSCert, cfg.TLSKey)
	a := start(t, cfg)
	client := edgetest.Client(host, giveUp, first.Cert, second.Cert)
	url := "https://" + a.Addr().String() + "/healthz"

	served := func() string {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", url, resp.StatusCode)
		}
		return resp.TLS.PeerCertificates[0].SerialNumber.String()
	}
	if got := served(); got != first.Cert.SerialNumber.String() {
		t.Fatalf("served certificate %s, want the first, %s", got, first.Cert.SerialNumber)
	}
	if resp, err := http.Get("http://" + a.Addr().String() + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP to the HTTPS port = %d, want 400", resp.StatusCode)
		}
	}

	// Rotated in place, as certbot or cert-manager would. The files are
	// re-read every few seconds at most, so poll for the new certificate.
	second.Write(t, cfg.TLSCert, cfg.TLSKey)
	got := ""
	for deadline := time.Now().Add(giveUp); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got = served(); got == second.Cert.SerialNumber.String() {
			break
		}
	}
	if got != second.Cert.SerialNumber.String() {
		t.Fatalf("served certificate %s after rotation, want the second, %s", got, second.Cert.SerialNumber)
	}
}

func TestHTTPSStartUpErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	good := edgetest.NewPair(t, "hooks.example.test", time.Now().Add(time.Hour))
	other := edgetest.NewPair(t, "hooks.example.test", time.Now().Add(time.Hour))
	certFile := filepath.Join(dir, "tls.crt")
	if err := os.WriteFile(certFile, good.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	wrongKey := filepath.Join(dir, "other.key")
	if err := os.WriteFile(wrongKey, other.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	tests := []struct {
		name  string
		tweak func(*config.Config)
		want  string
	}{
		{name: "key of another certificate", tweak: func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, wrongKey },
			want: "loading TLS certificate " + certFile + " and key " + wrongKey + ": tls: private key does not match public key"},
		{name: "busy challenge port", tweak: func(c *config.Config) {
			c.TLSAutoHosts = []string{"hooks.example.test"}
			c.TLSChallengeAddr = busy.Addr().String()
		}, want: "ACME challenge port " + busy.Addr().String() + " (--tls-challenge-addr) is busy or not usable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			tc.tweak(&cfg)
			a, err := app.New(context.Background(), cfg, app.Options{Role: app.RoleAPI, Migrate: true})
			if err == nil {
				a.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestAutomaticHTTPSServesCacheAndChallengePort(t *testing.T) {
	const host = "hooks.example.test"
	cfg := testConfig(t)
	cfg.TLSAutoHosts = []string{host}
	cfg.TLSChallengeAddr = "127.0.0.1:0"
	cfg.TLSACMEDirectory = "https://acme.invalid/directory" // never reached: the certificate is cached
	cfg.PublicURL = "https://" + host
	// A certificate obtained before a restart, in the cache's format: the
	// key, then the chain, in a file named after the host.
	cached := edgetest.NewPair(t, host, time.Now().Add(365*24*time.Hour))
	if err := os.MkdirAll(cfg.TLSCacheFolder(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.TLSCacheFolder(), host), append(append([]byte{}, cached.KeyPEM...), cached.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	a := start(t, cfg)

	resp, err := edgetest.Client(host, giveUp, cached.Cert).Get("https://" + a.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("HTTPS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS.PeerCertificates[0].SerialNumber.Cmp(cached.Cert.SerialNumber) != 0 {
		t.Errorf("HTTPS = %d with certificate %s, want 200 with the cached one", resp.StatusCode, resp.TLS.PeerCertificates[0].SerialNumber)
	}

	if a.ChallengeAddr() == nil {
		t.Fatal("no challenge listener")
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+a.ChallengeAddr().String()+"/hooks/tok", strings.NewReader("{}"))
	req.Host = host
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "Use HTTPS") {
		t.Errorf("a webhook over plain HTTP = %d %q, want 400 Use HTTPS", resp.StatusCode, b)
	}
}
