package main

// These tests start the real embedded Temporal server. They live here, in
// the one package besides engine/platform/devserver that links go.temporal.io/server,
// so no other test binary pays for that link.

import (
	"github.com/hookflow/hookflow/engine/platform/httpedge/edgetest"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/platform/devserver"
)

// greet is the trivial workflow run end to end: one activity through the real
// worker.
func greet(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var out string
	err := workflow.ExecuteActivity(ctx, "shout", name).Get(ctx, &out)
	return out, err
}

func shout(ctx context.Context, name string) (string, error) {
	return "HELLO " + strings.ToUpper(name), nil
}

var testComponent = app.Component{
	Name: "test-greeter",
	RegisterWorker: func(reg worker.Registry, deps app.Deps) error {
		reg.RegisterWorkflowWithOptions(greet, workflow.RegisterOptions{Name: "greet"})
		reg.RegisterActivityWithOptions(shout, activity.RegisterOptions{Name: "shout"})
		return nil
	},
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// stack is one embedded Temporal server plus an App with every role.
type stack struct {
	srv    *devserver.Server
	app    *app.App
	cancel context.CancelFunc
	done   chan error
}

func startStack(t *testing.T, dataDir string, temporalPort int) *stack {
	t.Helper()
	ctx := context.Background()
	srv, err := devserver.Start(ctx, devserver.Config{DataDir: dataDir, Port: temporalPort, LogLevel: "error"})
	if err != nil {
		t.Fatalf("starting embedded Temporal: %v", err)
	}
	cfg := config.Default()
	cfg.DataDir = dataDir
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.TemporalAddress = srv.Address()
	cfg.LogLevel = "warn"
	cfg.TaskQueue = "stack-test"
	a, err := app.New(ctx, cfg, app.Options{
		Role: app.RoleAll, Components: []app.Component{testComponent},
		Migrate: true, SecretKey: true, SecretKeyGenerate: true,
	})
	if err != nil {
		srv.Stop()
		t.Fatalf("creating app: %v", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	s := &stack{srv: srv, app: a, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- a.Run(runCtx) }()
	readyCtx, readyCancel := context.WithTimeout(ctx, time.Minute)
	defer readyCancel()
	if err := a.WaitReady(readyCtx); err != nil {
		s.stop(t)
		t.Fatalf("waiting for readiness: %v", err)
	}
	return s
}

func (s *stack) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	if err := <-s.done; err != nil {
		t.Errorf("app run: %v", err)
	}
	if err := s.srv.Stop(); err != nil {
		t.Errorf("stopping Temporal: %v", err)
	}
	if err := s.srv.Stop(); err != nil { // Stop is safe twice
		t.Errorf("stopping Temporal twice: %v", err)
	}
}

func (s *stack) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + s.app.Addr().String() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.String()
}

func TestEmbeddedStackRunsWorkflowAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	s := startStack(t, dir, port)
	if code, body := s.get(t, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d %s", code, body)
	}
	code, body := s.get(t, "/readyz")
	if code != http.StatusOK {
		t.Fatalf("/readyz = %d %s", code, body)
	}
	var ready struct {
		Status string                    `json:"status"`
		Checks map[string]map[string]any `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatalf("decoding /readyz: %v", err)
	}
	for _, name := range []string{"store", "temporal", "worker"} {
		if ready.Checks[name]["status"] != "ok" {
			t.Errorf("/readyz check %s = %v, want ok", name, ready.Checks[name])
		}
	}

	deps := s.app.Deps()
	run, err := deps.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "greet-1", TaskQueue: "stack-test",
	}, "greet", "ada")
	if err != nil {
		t.Fatalf("starting workflow: %v", err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil {
		t.Fatalf("running workflow: %v", err)
	}
	if got != "HELLO ADA" {
		t.Fatalf("workflow result = %q, want %q", got, "HELLO ADA")
	}
	if err := deps.Store.PutSetting(ctx, "test.marker", "kept"); err != nil {
		t.Fatalf("writing to store: %v", err)
	}
	s.stop(t)

	// Same folder and port again: the store row and the finished workflow
	// must both still be there.
	s = startStack(t, dir, port)
	defer s.stop(t)
	deps = s.app.Deps()
	v, ok, err := deps.Store.GetSetting(ctx, "test.marker")
	if err != nil || !ok || v != "kept" {
		t.Fatalf("store after restart = %q, %v, %v; want kept", v, ok, err)
	}
	desc, err := deps.Temporal.DescribeWorkflowExecution(ctx, "greet-1", run.GetRunID())
	if err != nil {
		t.Fatalf("describing workflow after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus().String(); st != "Completed" {
		t.Fatalf("workflow status after restart = %s, want Completed", st)
	}
	var again string
	if err := deps.Temporal.GetWorkflow(ctx, "greet-1", run.GetRunID()).Get(ctx, &again); err != nil || again != "HELLO ADA" {
		t.Fatalf("workflow result after restart = %q, %v", again, err)
	}
}

func TestDevserverBusyPortNamesThePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	_, err = devserver.Start(context.Background(), devserver.Config{DataDir: t.TempDir(), Port: port})
	var busy *devserver.PortInUseError
	if !errors.As(err, &busy) {
		t.Fatalf("Start on a busy port: got %v, want *PortInUseError", err)
	}
	want := "127.0.0.1:" + strconv.Itoa(port)
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not name %s", err, want)
	}
}

// startDev runs `hookflow dev` in-process and waits for its banner.
func startDev(t *testing.T, args ...string) (stdout *edgetest.SyncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &edgetest.SyncBuffer{}, &edgetest.SyncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"dev"}, args...), stdout, stderr) }()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(stdout.String(), "ready in") {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("hookflow dev exited with %d before ready: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("hookflow dev not ready after a minute: %s", stderr.String())
		}
	}
	return stdout, func() int { cancel(); return <-done }
}

func adminKeyFrom(banner string) string {
	for _, line := range strings.Split(banner, "\n") {
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "Admin API key: "); ok {
			return k
		}
	}
	return ""
}

func TestDevCommandBannerKeyAndBusyPorts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	httpPort, temporalPort := freePort(t), freePort(t)
	args := []string{"--data-dir", dir, "--http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--temporal-port", strconv.Itoa(temporalPort), "--log-level", "error"}

	out, stop := startDev(t, args...)
	banner := out.String()
	key := adminKeyFrom(banner)
	if !strings.HasPrefix(key, "hfk_") {
		t.Fatalf("first start printed no admin key:\n%s", banner)
	}
	for _, want := range []string{
		fmt.Sprintf("http://localhost:%d/hooks/", httpPort),
		dir,
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", httpPort))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz after banner: %v %v", resp, err)
	}
	resp.Body.Close()

	// A second instance on the same ports fails at once, naming the port.
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{name: "same HTTP port", args: args, want: []string{"busy", strconv.Itoa(httpPort)}},
		{name: "same Temporal port", want: []string{"busy", strconv.Itoa(temporalPort)}, args: []string{"--data-dir", t.TempDir(),
			"--http-addr", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--temporal-port", strconv.Itoa(temporalPort)}},
		{name: "same data folder", want: []string{"in use", dir}, args: []string{"--data-dir", dir,
			"--http-addr", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--temporal-port", strconv.Itoa(freePort(t))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"dev"}, tc.args...), &stdout, &stderr)
			for _, want := range tc.want {
				if code == 0 || !strings.Contains(stderr.String(), want) {
					t.Fatalf("second dev: exit %d, stderr %q; want non-zero mentioning %q", code, stderr.String(), want)
				}
			}
		})
	}
	if code := stop(); code != 0 {
		t.Fatalf("dev exit code after cancel = %d", code)
	}

	// The key is shown only once; --reset-key makes a new one.
	out, stop = startDev(t, args...)
	if k := adminKeyFrom(out.String()); k != "" {
		t.Errorf("second start printed an admin key again: %s", k)
	}
	stop()
	out, stop = startDev(t, append(args, "--reset-key")...)
	newKey := adminKeyFrom(out.String())
	stop()
	if !strings.HasPrefix(newKey, "hfk_") || newKey == key {
		t.Fatalf("--reset-key printed %q (old %q); want a new key", newKey, key)
	}
}

func TestServerUnreachableDatabaseNamesHostNotPassword(t *testing.T) {
	port := freePort(t) // closed: nothing listens there
	dbURL := fmt.Sprintf("postgres://hookflow:hunter2secret@127.0.0.1:%d/hookflow?sslmode=disable", port)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"server", "--http-addr", "127.0.0.1:0",
		"--database-url", dbURL, "--secret-key", "dGVzdA=="}, &stdout, &stderr)
	msg := stderr.String()
	if code == 0 {
		t.Fatalf("server with unreachable database exited 0")
	}
	if strings.Count(strings.TrimSpace(msg), "\n") != 0 {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.Contains(msg, fmt.Sprintf("127.0.0.1:%d", port)) {
		t.Errorf("error %q does not name the host", msg)
	}
	if strings.Contains(msg, "hunter2secret") {
		t.Errorf("error %q leaks the password", msg)
	}
}
