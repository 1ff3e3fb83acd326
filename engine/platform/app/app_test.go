package app_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/store"
)

// These tests need no Temporal server: an API-only process must work while
// Temporal is down, and a worker must fail clearly when it cannot reach it.
// The full stack with a real embedded server is tested in cmd/hookflow.

func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func testConfig(t *testing.T) config.Config {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.TemporalAddress = closedAddr(t)
	cfg.SecretKey = "dGVzdC1rZXktZm9yLWFwcC10ZXN0cy0zMi1ieXRlcyE=" // 32 bytes
	cfg.LogLevel = "error"
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.MaxBodyBytes = 16
	return cfg
}

func TestAPIProcessServesWithoutTemporal(t *testing.T) {
	cfg := testConfig(t)
	var jobRan, jobStopped atomic.Bool
	comp := app.Component{
		Name: "echo",
		Mount: func(r *gin.Engine, deps app.Deps) error {
			if deps.Store == nil || deps.Temporal == nil || deps.Keyring == nil {
				return errors.New("deps not filled in")
			}
			echo := func(c *gin.Context) {
				b, err := io.ReadAll(c.Request.Body)
				if err != nil {
					c.String(http.StatusRequestEntityTooLarge, "too large")
					return
				}
				c.String(http.StatusOK, string(b))
			}
			r.POST("/echo", echo)
			r.POST("/hooks/:token", echo)
			return nil
		},
		Background: func(ctx context.Context, deps app.Deps) error {
			jobRan.Store(true)
			<-ctx.Done()
			jobStopped.Store(true)
			return nil
		},
		RegisterWorker: nil, // an API process must not call worker hooks
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, app.Options{Role: app.RoleAPI, Components: []app.Component{comp}, Migrate: true, SecretKey: true})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	waitCtx, waitCancel := context.WithTimeout(ctx, 30*time.Second)
	defer waitCancel()
	if err := a.WaitReady(waitCtx); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	base := "http://" + a.Addr().String()

	tests := []struct {
		name       string
		method     string
		path, body string
		wantStatus int
		wantBody   string
	}{
		{name: "liveness", method: http.MethodGet, path: "/healthz", wantStatus: 200, wantBody: `"ok"`},
		{name: "readiness without temporal", method: http.MethodGet, path: "/readyz", wantStatus: 200, wantBody: `"temporal":{"status":"fail"`},
		{name: "mounted route", method: http.MethodPost, path: "/echo", body: "hello", wantStatus: 200, wantBody: "hello"},
		{name: "body over the limit", method: http.MethodPost, path: "/echo", body: strings.Repeat("x", 17), wantStatus: 413},
		// Webhook deliveries are capped per endpoint by the triggers
		// pipeline, which may allow more than the API's limit.
		{name: "webhook bodies are capped per endpoint, not here", method: http.MethodPost, path: "/hooks/tok", body: strings.Repeat("x", 17), wantStatus: 200},
		{name: "unknown route", method: http.MethodGet, path: "/nope", wantStatus: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(b), tc.wantBody) {
				t.Fatalf("%s %s = %d %s; want %d containing %q", tc.method, tc.path, resp.StatusCode, b, tc.wantStatus, tc.wantBody)
			}
		})
	}
	if !jobRan.Load() {
		t.Error("background job did not run")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !jobStopped.Load() {
		t.Error("background job was not stopped on shutdown")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("HTTP still served after shutdown")
	}
	if err := a.Close(); err != nil { // already closed by Run; safe again
		t.Errorf("second Close: %v", err)
	}
}

func TestWorkerFailsNamingUnreachableTemporal(t *testing.T) {
	cfg := testConfig(t)
	cfg.TemporalConnectTimeout = 300 * time.Millisecond
	_, err := app.New(context.Background(), cfg, app.Options{Role: app.RoleWorker, Migrate: true})
	if err == nil || !strings.Contains(err.Error(), cfg.TemporalAddress) {
		t.Fatalf("err = %v; want one naming %s", err, cfg.TemporalAddress)
	}
}

func TestBusyHTTPPortFailsAtOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := testConfig(t)
	cfg.HTTPAddr = ln.Addr().String()
	_, err = app.New(context.Background(), cfg, app.Options{Role: app.RoleAPI})
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	if err == nil || !strings.Contains(err.Error(), port) {
		t.Fatalf("err = %v; want one naming port %s", err, port)
	}
}

func TestMissingSecretKeyIsAnError(t *testing.T) {
	cfg := testConfig(t)
	cfg.SecretKey = ""
	_, err := app.New(context.Background(), cfg, app.Options{Role: app.RoleAPI, SecretKey: true})
	if err == nil || !strings.Contains(err.Error(), "HOOKFLOW_SECRET_KEY") {
		t.Fatalf("err = %v; want one naming HOOKFLOW_SECRET_KEY", err)
	}
}

// TestMalformedSecretKeyIsAnError checks that the keyring is parsed once,
// at start-up, and a bad key stops the process naming the setting.
func TestMalformedSecretKeyIsAnError(t *testing.T) {
	cfg := testConfig(t)
	cfg.SecretKey = "dG9vLXNob3J0" // "too-short"
	_, err := app.New(context.Background(), cfg, app.Options{Role: app.RoleAPI, SecretKey: true})
	if err == nil || !strings.Contains(err.Error(), "HOOKFLOW_SECRET_KEY") {
		t.Fatalf("err = %v; want one naming HOOKFLOW_SECRET_KEY", err)
	}
}

func TestEnsureAdminKey(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	first, err := app.EnsureAdminKey(ctx, st, false)
	if err != nil || first == "" {
		t.Fatalf("first start: %q, %v; want a new key", first, err)
	}
	key, err := st.VerifyAPIKey(ctx, first)
	if err != nil || key.Scope != store.ScopeAdmin {
		t.Fatalf("verifying first key: %+v, %v", key, err)
	}
	again, err := app.EnsureAdminKey(ctx, st, false)
	if err != nil || again != "" {
		t.Fatalf("second start: %q, %v; want no key printed", again, err)
	}
	reset, err := app.EnsureAdminKey(ctx, st, true)
	if err != nil || reset == "" || reset == first {
		t.Fatalf("reset: %q, %v; want a different key", reset, err)
	}
	if _, err := st.VerifyAPIKey(ctx, first); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old key after reset: err = %v, want ErrNotFound", err)
	}
	if _, err := st.VerifyAPIKey(ctx, reset); err != nil {
		t.Fatalf("new key after reset: %v", err)
	}
}

func TestShutdownDrainsInFlightRequests(t *testing.T) {
	cfg := testConfig(t)
	started := make(chan struct{})
	comp := app.Component{Name: "slow", Mount: func(r *gin.Engine, deps app.Deps) error {
		r.GET("/slow", func(c *gin.Context) {
			close(started)
			time.Sleep(300 * time.Millisecond)
			c.String(http.StatusOK, "finished")
		})
		return nil
	}}
	a, err := app.New(context.Background(), cfg, app.Options{Role: app.RoleAPI, Components: []app.Component{comp}, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + a.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	cancel() // SIGINT arrives while the request is in flight
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request = %q, %v; want it to finish", r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
