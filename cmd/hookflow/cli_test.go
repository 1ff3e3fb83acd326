package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cliEnv runs the real hookflow binary: one `hookflow dev` subprocess in a
// temporary data folder, and CLI invocations against it with their own
// config folder.
type cliEnv struct {
	t       *testing.T
	bin     string
	home    string
	baseURL string
	key     string
}

var (
	cliBuildOnce sync.Once
	cliBin       string
	cliBuildErr  error
)

// buildCLI builds the hookflow binary once per test process.
func buildCLI(t *testing.T) string {
	t.Helper()
	cliBuildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hookflow-cli-test")
		if err != nil {
			cliBuildErr = err
			return
		}
		cliBin = filepath.Join(dir, "hookflow")
		if runtime.GOOS == "windows" {
			cliBin += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", cliBin, ".").CombinedOutput()
		if err != nil {
			cliBuildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cliBuildErr != nil {
		t.Fatal(cliBuildErr)
	}
	return cliBin
}

// startCLIDev starts `hookflow dev` on free ports and returns once its
// banner (with the admin key) is printed.
func startCLIDev(t *testing.T) *cliEnv {
	t.Helper()
	bin := buildCLI(t)
	root := t.TempDir()
	httpPort, temporalPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, "dev", "--data-dir", filepath.Join(root, "data"),
		"--http-addr", "127.0.0.1:"+strconv.Itoa(httpPort), "--temporal-port", strconv.Itoa(temporalPort), "--log-level", "warn")
	// The test's sink listens on loopback, which the SSRF guard refuses
	// unless allowed.
	cmd.Env = append(os.Environ(), "HOME="+filepath.Join(root, "home"), "XDG_CONFIG_HOME="+filepath.Join(root, "home", ".config"),
		"HOOKFLOW_SSRF_ALLOW=127.0.0.1/32")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	key := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if k, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Admin API key: "); ok {
				key <- k
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case k := <-key:
		return &cliEnv{t: t, bin: bin, home: filepath.Join(root, "home"), baseURL: "http://127.0.0.1:" + strconv.Itoa(httpPort), key: k}
	case <-time.After(2 * time.Minute):
		t.Fatalf("hookflow dev printed no admin key; stderr:\n%s", stderr.String())
	}
	return nil
}

// cli runs one CLI command and returns its output and exit code.
func (e *cliEnv) cli(args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+e.home, "XDG_CONFIG_HOME="+filepath.Join(e.home, ".config"),
		envURL+"=", envKey+"=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		e.t.Fatalf("running hookflow %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// mustCLI runs a command that must exit 0.
func (e *cliEnv) mustCLI(args ...string) string {
	e.t.Helper()
	out, errOut, code := e.cli(args...)
	if code != 0 {
		e.t.Fatalf("hookflow %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// api calls the REST API with the admin key.
func (e *cliEnv) api(method, path string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.baseURL+path, rd)
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// waitRuns polls `hookflow get runs -o json` until n runs of the workflow
// have ended.
func (e *cliEnv) waitRuns(workflow string, n int) []map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var runs []map[string]any
		out := e.mustCLI("get", "runs", "--workflow", workflow, "-o", "json")
		if err := json.Unmarshal([]byte(out), &runs); err != nil {
			e.t.Fatalf("get runs -o json printed %q: %v", out, err)
		}
		ended := 0
		for _, r := range runs {
			if r["status"] != "running" {
				ended++
			}
		}
		if ended >= n {
			return runs
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("waited for %d ended runs of %q; have %v", n, workflow, runs)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func stripeSign(secret, body string) string {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + body))
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

var webhookURLLine = regexp.MustCompile(`webhook URL: (\S+)`)

// TestCLIAgainstDev drives a real `hookflow dev` with the CLI: login,
// validate, apply a workflow from workflows/, send a signed Stripe event
// to the printed URL, wait for the run, describe it, replay the event,
// follow the logs, and check exit codes.
func TestCLIAgainstDev(t *testing.T) {
	e := startCLIDev(t)
	// The example posts to vars.sink; point it at a sink that counts what
	// arrives, by idempotency key.
	var sinkMu sync.Mutex
	sunk := map[string]int{}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sinkMu.Lock()
		sunk[r.Header.Get("Idempotency-Key")]++
		sinkMu.Unlock()
	}))
	defer sink.Close()
	example, err := os.ReadFile(filepath.Join("..", "..", "workflows", "bench-reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	wfFile := filepath.Join(t.TempDir(), "bench-reference.json")
	if err := os.WriteFile(wfFile, bytes.Replace(example, []byte("http://127.0.0.1:9999/sink"), []byte(sink.URL+"/sink"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	const name = "Benchmark reference: Stripe payment to sink"
	const secret = "whsec_cli_test_0123456789"

	// login stores the config with mode 0600.
	out := e.mustCLI("login", "--url", e.baseURL, "--key", e.key)
	cfgPath := filepath.Join(e.home, ".config", "hookflow", "config.json")
	if !strings.Contains(out, cfgPath) {
		t.Fatalf("login printed %q, want the config path %s", out, cfgPath)
	}
	if info, err := os.Stat(cfgPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("config file %s: %v, mode %v; want 0600", cfgPath, err, info.Mode().Perm())
	}
	if _, _, code := e.cli("login", "--url", e.baseURL, "--key", "hfk_wrong"); code != exitUser {
		t.Fatalf("login with a wrong key exited %d, want %d", code, exitUser)
	}

	// validate is offline: ok for the example, carets and exit 1 for a broken file.
	e.mustCLI("validate", wfFile)
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"name": "bad", "trigger": {"type": "manual"},
  "steps": [{"id": "a", "type": "filter", "if": "trigger.amount >>= 3"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := e.cli("validate", bad)
	if code != exitUser || !strings.Contains(out, "steps[0].if:") || !strings.Contains(out, "^") {
		t.Fatalf("validate of a broken file: exit %d, output:\n%s", code, out)
	}

	// apply fails on an unknown credential (exit 1, the path named) …
	out, _, code = e.cli("apply", "-f", wfFile)
	if code != exitUser || !strings.Contains(out, `trigger.credential: unknown credential "stripe-bench"`) {
		t.Fatalf("apply without the credential: exit %d, output:\n%s", code, out)
	}
	// … and succeeds once it exists, printing the webhook URL.
	if status, body := e.api("POST", "/api/v1/credentials", map[string]any{"name": "stripe-bench", "connector": "stripe",
		"values": map[string]any{"webhook_secret": secret}}); status != http.StatusCreated {
		t.Fatalf("creating the credential: %d %s", status, body)
	}
	out = e.mustCLI("apply", "--activate", "-f", wfFile)
	m := webhookURLLine.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "created") || !strings.Contains(out, "active") {
		t.Fatalf("apply printed no webhook URL:\n%s", out)
	}
	hookURL := strings.Replace(m[1], "localhost", "127.0.0.1", 1)
	// Applying again updates by name, keeping the URL.
	out = e.mustCLI("apply", "-f", wfFile)
	if !strings.Contains(out, "updated") || !strings.Contains(out, m[1]) {
		t.Fatalf("second apply:\n%s", out)
	}

	// A signed Stripe event to the printed URL starts a real run that posts
	// to the sink.
	body := `{"id": "evt_cli_1", "type": "payment_intent.succeeded", "data": {"object": {"amount": 2000, "currency": "usd", "customer": "cus_1", "metadata": {"order_id": "A1"}}}}`
	req, _ := http.NewRequest("POST", hookURL, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", stripeSign(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ack struct {
		EventID string `json:"event_id"`
		Status  string `json:"status"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&ack)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || ack.EventID == "" {
		t.Fatalf("webhook answered %d %+v", resp.StatusCode, ack)
	}

	runs := e.waitRuns(name, 1)
	runID, _ := runs[0]["id"].(string)
	if runs[0]["status"] != "completed" || runs[0]["event_id"] != ack.EventID {
		t.Fatalf("run %v, want a completed run of event %s", runs[0], ack.EventID)
	}
	sinkMu.Lock()
	if len(sunk) != 1 || sunk["evt_cli_1"] != 1 {
		t.Fatalf("sink received %v, want one POST keyed evt_cli_1", sunk)
	}
	sinkMu.Unlock()

	// describe shows the run step by step.
	out = e.mustCLI("describe", "run", runID)
	for _, want := range []string{"Run:       " + runID, "Status:    completed", "paid", "filter", `"passed":true`,
		"post", "http", "Payment of 20.00 USD from cus_1 for order A1"} {
		if !strings.Contains(out, want) {
			t.Fatalf("describe run lacks %q:\n%s", want, out)
		}
	}
	if _, errOut, code := e.cli("describe", "run", "hookflow-run/nope"); code != exitUser || !strings.Contains(errOut, "not found") {
		t.Fatalf("describe of an unknown run: exit %d, %s", code, errOut)
	}

	// Two ids are refused rather than the second dropped without a word.
	if _, errOut, code := e.cli("replay", ack.EventID, "evt_other"); code != exitUsage || !strings.Contains(errOut, "one argument only") {
		t.Fatalf("replay of two events: exit %d, %s", code, errOut)
	}
	// replay starts a second run of the same event.
	out = e.mustCLI("replay", ack.EventID)
	if !strings.Contains(out, "replayed "+ack.EventID) {
		t.Fatalf("replay printed %q", out)
	}
	runs = e.waitRuns(name, 2)
	var events []map[string]any
	if err := json.Unmarshal([]byte(e.mustCLI("get", "events", "-o", "json", "--workflow", name)), &events); err != nil {
		t.Fatal(err)
	}
	replays := 0
	for _, ev := range events {
		if ev["replay_of"] == ack.EventID {
			replays++
		}
	}
	if replays != 1 || len(runs) != 2 {
		t.Fatalf("after replay: %d replays of %s, %d runs", replays, ack.EventID, len(runs))
	}
	// A replay runs the workflow again on purpose; its call carries the same
	// provider event id as Idempotency-Key, so the receiver can tell.
	sinkMu.Lock()
	if sunk["evt_cli_1"] != 2 {
		t.Fatalf("sink after the replay: %v, want the second POST keyed evt_cli_1", sunk)
	}
	sinkMu.Unlock()

	// Tables and logs.
	out = e.mustCLI("get", "workflows")
	if !strings.HasPrefix(out, "ID") || !strings.Contains(out, name) {
		t.Fatalf("get workflows:\n%s", out)
	}
	// get runs names each run's workflow, and --where finds runs by a
	// field of their event: the run and its replay carry order A1.
	out = e.mustCLI("get", "runs", "--where", "data.object.metadata.order_id=A1")
	if !strings.Contains(out, "WORKFLOW") || strings.Count(out, name) != 2 {
		t.Fatalf("get runs --where order_id=A1, want both runs with the workflow's name:\n%s", out)
	}
	if out = e.mustCLI("get", "events", "--where", "data.object.metadata.order_id=B2"); strings.Contains(out, "evt_") {
		t.Fatalf("get events --where order_id=B2 found events:\n%s", out)
	}
	if _, errOut, code := e.cli("get", "runs", "--where", "order_id"); code != exitUsage || !strings.Contains(errOut, "PATH=VALUE") {
		t.Fatalf("get runs --where without a value: exit %d, %s", code, errOut)
	}
	out = e.mustCLI("get", "credentials")
	if !strings.Contains(out, "stripe-bench") || strings.Contains(out, secret) {
		t.Fatalf("get credentials leaks or misses:\n%s", out)
	}
	out = e.mustCLI("logs", name)
	if strings.Count(out, "completed") != 2 {
		t.Fatalf("logs:\n%s", out)
	}

	// The local dry run needs no server.
	out = e.mustCLI("test", "-f", wfFile, "--event", filepath.Join("..", "..", "testdata", "events", "bench-reference.json"))
	if !strings.Contains(out, "Status:    completed") || !strings.Contains(out, "mocked") {
		t.Fatalf("test:\n%s", out)
	}

	// Exit codes: usage 2, unreachable server 3.
	if _, _, code := e.cli("get"); code != exitUsage {
		t.Fatalf("get without a resource exited %d, want %d", code, exitUsage)
	}
	if _, _, code := e.cli("get", "runs", "--url", "http://127.0.0.1:1", "--key", e.key); code != exitService {
		t.Fatalf("an unreachable server exited %d, want %d", code, exitService)
	}
}
