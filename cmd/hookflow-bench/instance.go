package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is one hookflow process the harness runs: `hookflow dev`, or one of
// the `temporal`, `server` and `worker` processes of split mode.
type Proc struct {
	Name string
	Args []string
	Env  []string
	Log  string // file that receives the process's output

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start launches the process.
func (p *Proc) Start(bin string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, p.Args...)
	cmd.Env = append(os.Environ(), p.Env...)
	cmd.Stdout, cmd.Stderr = f, f
	// Own process group, so the harness's own Ctrl-C does not race with its
	// orderly shutdown of the children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("starting %s: %w", p.Name, err)
	}
	p.cmd = cmd
	go func() { cmd.Wait(); f.Close() }()
	return nil
}

// Run runs the process to completion (a set-up command).
func (p *Proc) Run(ctx context.Context, bin string) error {
	f, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, bin, p.Args...)
	cmd.Env = append(os.Environ(), p.Env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", p.Name, err)
	}
	return nil
}

// PID is the process id, or 0 when it is not running.
func (p *Proc) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Kill sends SIGKILL: no drain, no cleanup, the way a crash looks.
func (p *Proc) Kill() {
	if pid := p.PID(); pid > 0 {
		syscall.Kill(pid, syscall.SIGKILL)
		p.waitGone(pid, 10*time.Second)
	}
}

// Stop sends SIGTERM and waits for an orderly exit.
func (p *Proc) Stop() {
	if pid := p.PID(); pid > 0 {
		syscall.Kill(pid, syscall.SIGTERM)
		if !p.waitGone(pid, 15*time.Second) {
			p.Kill()
		}
	}
}

func (p *Proc) waitGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		// A zombie still answers signal 0; look at /proc state instead.
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(b), ") Z ") {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// Cluster is the hookflow deployment under test.
type Cluster struct {
	Bin      string
	DataDir  string
	HTTPAddr string // 127.0.0.1:port of the API and webhooks
	Temporal string // 127.0.0.1:port of the Temporal frontend
	Database string // store URL (split mode may use PostgreSQL)
	Split    bool
	Workers  int
	// ExtraHTTPAddrs are the API addresses of servers beyond the first
	// (the production topology runs several behind a load balancer).
	ExtraHTTPAddrs []string
	// TemporalPostgres, when set, keeps the Temporal process's data in
	// this PostgreSQL database instead of SQLite (split mode only).
	TemporalPostgres string
	TemporalShards   int
	// SecretKey encrypts credentials; server and worker require the same
	// one (dev makes its own). Start generates it when empty.
	SecretKey string
	ExtraEnv  []string
	Dev       *Proc
	Temporalp *Proc
	Server    *Proc
	WorkerPs  []*Proc
	// ExtraServers run on ExtraHTTPAddrs.
	ExtraServers []*Proc
}

// HTTPAddrs lists every server's API address, the first one first.
func (c *Cluster) HTTPAddrs() []string { return append([]string{c.HTTPAddr}, c.ExtraHTTPAddrs...) }

// BaseURL is the hookflow API's base URL.
func (c *Cluster) BaseURL() string { return "http://" + c.HTTPAddr }

// MainPID is the process whose CPU and memory the report shows: the dev
// process, or the server in split mode.
func (c *Cluster) MainPID() int {
	if c.Split {
		return c.Server.PID()
	}
	return c.Dev.PID()
}

func (c *Cluster) commonEnv() []string {
	env := []string{
		"HOOKFLOW_DATA_DIR=" + c.DataDir,
		"HOOKFLOW_PUBLIC_URL=" + c.BaseURL(),
		"HOOKFLOW_TEMPORAL_ADDRESS=" + c.Temporal,
		"HOOKFLOW_LOG_LEVEL=warn",
		// The sink lives on loopback, which the SSRF guard blocks by default.
		"HOOKFLOW_SSRF_ALLOW=127.0.0.1/32,::1/128",
	}
	if c.Database != "" {
		env = append(env, "HOOKFLOW_DATABASE_URL="+c.Database)
	}
	if c.Split {
		env = append(env, "HOOKFLOW_SECRET_KEY="+c.SecretKey)
	}
	return append(env, c.ExtraEnv...)
}

// Start brings the deployment up and waits until /readyz answers 200.
func (c *Cluster) Start(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	if c.SecretKey == "" {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return 0, fmt.Errorf("generating a secret key: %w", err)
		}
		c.SecretKey = base64.StdEncoding.EncodeToString(key)
	}
	_, tport, _ := net.SplitHostPort(c.Temporal)
	env := c.commonEnv()
	logf := func(name string) string { return filepath.Join(c.DataDir, name+".log") }
	if !c.Split {
		if c.Dev == nil {
			c.Dev = &Proc{Name: "hookflow dev", Args: []string{"dev", "--http-addr", c.HTTPAddr, "--temporal-port", tport}, Env: env, Log: logf("dev")}
		}
		if err := c.Dev.Start(c.Bin); err != nil {
			return 0, err
		}
	} else {
		if c.Temporalp == nil {
			targs := []string{"temporal", "--temporal-port", tport}
			if c.TemporalPostgres != "" {
				targs = append(targs, "--temporal-postgres-url", c.TemporalPostgres, "--temporal-shards", strconv.Itoa(c.TemporalShards))
				setup := &Proc{Name: "hookflow temporal setup-schema", Args: []string{"temporal", "setup-schema", "--temporal-postgres-url", c.TemporalPostgres}, Env: env, Log: logf("temporal-setup")}
				if err := setup.Run(ctx, c.Bin); err != nil {
					return 0, fmt.Errorf("setting up Temporal's PostgreSQL schema: %w\n%s", err, lastLines(setup.Log, 20))
				}
			}
			c.Temporalp = &Proc{Name: "hookflow temporal", Args: targs, Env: env, Log: logf("temporal")}
			c.Server = &Proc{Name: "hookflow server", Args: []string{"server", "--http-addr", c.HTTPAddr}, Env: env, Log: logf("server")}
			for i, addr := range c.ExtraHTTPAddrs {
				c.ExtraServers = append(c.ExtraServers, &Proc{Name: fmt.Sprintf("hookflow server %d", i+2), Args: []string{"server", "--http-addr", addr}, Env: env, Log: logf(fmt.Sprintf("server%d", i+2))})
			}
			for i := 0; i < c.Workers; i++ {
				c.WorkerPs = append(c.WorkerPs, &Proc{Name: fmt.Sprintf("hookflow worker %d", i+1), Args: []string{"worker"}, Env: env, Log: logf(fmt.Sprintf("worker%d", i+1))})
			}
		}
		if err := c.Temporalp.Start(c.Bin); err != nil {
			return 0, err
		}
		if err := waitTCP(ctx, c.Temporal, 60*time.Second); err != nil {
			return 0, fmt.Errorf("waiting for the Temporal process: %w (see %s)", err, c.Temporalp.Log)
		}
		for _, p := range append(append([]*Proc{c.Server}, c.ExtraServers...), c.WorkerPs...) {
			if err := p.Start(c.Bin); err != nil {
				return 0, err
			}
		}
	}
	for _, addr := range c.HTTPAddrs() {
		if err := waitReady(ctx, addr, 120*time.Second); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// WaitReady polls the first server's /readyz until it answers 200.
func (c *Cluster) WaitReady(ctx context.Context, d time.Duration) error {
	return waitReady(ctx, c.HTTPAddr, d)
}

// waitReady polls addr's /readyz until it answers 200.
func waitReady(ctx context.Context, addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("hookflow was not ready at http://%s/readyz within %s", addr, d)
}

// Stop shuts everything down in order.
func (c *Cluster) Stop() {
	if c.Dev != nil {
		c.Dev.Stop()
	}
	if c.Server != nil {
		c.Server.Stop()
	}
	for _, s := range c.ExtraServers {
		s.Stop()
	}
	for _, w := range c.WorkerPs {
		w.Stop()
	}
	if c.Temporalp != nil {
		c.Temporalp.Stop()
	}
}

func waitTCP(ctx context.Context, addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New("no answer on " + addr)
}

// freePort finds a free loopback port below the kernel's ephemeral range
// (Linux hands out 32768 and up for port 0). A port the kernel picked for
// us is free only until we close it; the processes started meanwhile (the
// embedded Temporal server binds several ephemeral ports) could be given
// it, and hookflow then failed to start with "address already in use".
// The kernel never hands out a port below the range by itself.
func freePort() (int, error) {
	for range 200 {
		port := 20000 + mrand.IntN(12000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free loopback port between 20000 and 32000")
}

// buildHookflow compiles ./cmd/hookflow into dir, so a bench run always
// measures the code of this checkout. It uses the default build flags on
// purpose: the packages `go test ./...` has just compiled are reused from
// the build cache (with -trimpath, CI compiled the embedded Temporal
// server a second time, about 7 minutes on a cold cache).
func buildHookflow(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "hookflow")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/hookflow")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building hookflow: %w", err)
	}
	return bin, nil
}

// lastLines returns the tail of a log file, for error messages.
func lastLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
