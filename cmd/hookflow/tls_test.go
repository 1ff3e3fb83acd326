package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/platform/httpedge/edgetest"
)

func TestDefaultPublicURL(t *testing.T) {
	tests := []struct {
		name  string
		addr  string
		https bool
		hosts []string
		want  string
	}{
		{name: "plain HTTP on every interface", addr: ":8080", want: "http://localhost:8080"},
		{name: "HTTPS from files", addr: "127.0.0.1:8443", https: true, want: "https://localhost:8443"},
		{name: "automatic certificates name the public host", addr: ":443", https: true, hosts: []string{"hooks.example.com", "api.example.com"},
			want: "https://hooks.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.TLSAutoHosts = tc.hosts
			if got := defaultPublicURL(cfg, localURL(tc.addr, tc.https)); got != tc.want {
				t.Errorf("public URL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHealthcheckOverHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ready"}`))
	}))
	defer srv.Close()
	tests := []struct {
		name     string
		args     []string
		wantCode bool // exit 0
		wantErr  string
	}{
		{name: "the certificate is verified by default", args: []string{srv.URL + "/readyz"}, wantErr: "certificate"},
		{name: "--insecure checks the answer only", args: []string{"--insecure", srv.URL + "/readyz"}, wantCode: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"healthcheck"}, tc.args...), &stdout, &stderr)
			if (code == 0) != tc.wantCode || !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want success %v mentioning %q", code, stderr.String(), tc.wantCode, tc.wantErr)
			}
		})
	}
}

func TestDevServesHTTPS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	pair := edgetest.NewPair(t, "localhost", time.Now().Add(24*time.Hour))
	pair.Write(t, certFile, keyFile)
	httpPort := freePort(t)
	out, stop := startDev(t, "--data-dir", filepath.Join(dir, "data"), "--http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--temporal-port", strconv.Itoa(freePort(t)), "--log-level", "error", "--tls-cert", certFile, "--tls-key", keyFile)
	defer stop()
	if want := fmt.Sprintf("https://localhost:%d/hooks/", httpPort); !strings.Contains(out.String(), want) {
		t.Errorf("banner lacks %q:\n%s", want, out.String())
	}
	resp, err := edgetest.Client("localhost", time.Minute, pair.Cert).Get(fmt.Sprintf("https://127.0.0.1:%d/readyz", httpPort))
	if err != nil {
		t.Fatalf("HTTPS /readyz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HTTPS /readyz = %d, want 200", resp.StatusCode)
	}
}
