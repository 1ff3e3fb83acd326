package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Exit codes of the CLI commands.
const (
	exitOK      = 0
	exitUser    = 1 // validation errors, unknown ids, a refused request
	exitUsage   = 2 // bad flags or arguments
	exitService = 3 // the server could not be reached or failed
)

// exitError carries a process exit code. silent errors have already been
// reported in detail (validation listings) and print nothing more.
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode is what run returns for this error.
func (e *exitError) ExitCode() int { return e.code }

// Silent reports whether the message was already printed.
func (e *exitError) Silent() bool { return e.silent }

func usagef(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func userf(format string, args ...any) error {
	return &exitError{code: exitUser, err: fmt.Errorf(format, args...)}
}

// cliConfigFile is where `hookflow login` keeps the server URL and key.
const cliConfigFile = "config.json"

// Environment variables that override the saved login (handy in CI).
const (
	envURL = "HOOKFLOW_URL"
	envKey = "HOOKFLOW_API_KEY"
)

// DefaultCLITimeout bounds one API request of the CLI.
const DefaultCLITimeout = 30 * time.Second

// cliConfig is the saved login.
type cliConfig struct {
	URL string `json:"url"`
	Key string `json:"key"`
}

// cliConfigPath is os.UserConfigDir()/hookflow/config.json.
func cliConfigPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user config folder: %w", err)
	}
	return filepath.Join(dir, "hookflow", cliConfigFile), nil
}

func loadCLIConfig() (cliConfig, error) {
	var c cliConfig
	path, err := cliConfigPath()
	if err != nil {
		return c, err
	}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return c, fmt.Errorf("reading %s: %w", path, err)
	}
	if err == nil {
		if err := json.Unmarshal(b, &c); err != nil {
			return c, fmt.Errorf("reading %s: %w (run `hookflow login` again)", path, err)
		}
	}
	return c, nil
}

// saveCLIConfig writes the login with mode 0600 (it holds an API key),
// through a temporary file so a crash never leaves half a file.
func saveCLIConfig(c cliConfig) (string, error) {
	path, err := cliConfigPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), cliConfigFile+".tmp*")
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return path, nil
}

// clientFlags are the flags every server command takes.
type clientFlags struct {
	url, key, output string
}

func (f *clientFlags) register(fs *flag.FlagSet, output bool) {
	fs.StringVar(&f.url, "url", "", "server URL (default: saved by `hookflow login`, or $"+envURL+")")
	fs.StringVar(&f.key, "key", "", "API key (default: saved by `hookflow login`, or $"+envKey+")")
	if output {
		fs.StringVar(&f.output, "o", "table", "output format: table or json")
	}
}

func (f *clientFlags) checkOutput() error {
	if f.output != "" && f.output != "table" && f.output != "json" {
		return usagef("-o must be table or json, not %q", f.output)
	}
	return nil
}

// client resolves the server and key: flags, then the environment, then
// the saved login.
func (f *clientFlags) client() (*apiClient, error) {
	saved, err := loadCLIConfig()
	if err != nil {
		return nil, &exitError{code: exitUser, err: err}
	}
	pick := func(vals ...string) string {
		for _, v := range vals {
			if v != "" {
				return v
			}
		}
		return ""
	}
	c := &apiClient{base: strings.TrimRight(pick(f.url, os.Getenv(envURL), saved.URL), "/"), key: pick(f.key, os.Getenv(envKey), saved.Key),
		http: &http.Client{Timeout: DefaultCLITimeout}}
	if c.base == "" || c.key == "" {
		return nil, userf("no server configured: run `hookflow login --url URL --key KEY`, or pass --url and --key")
	}
	if u, err := url.Parse(c.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("server URL %q is not an http(s) URL", c.base)
	}
	return c, nil
}

// apiClient calls the REST API.
type apiClient struct {
	base, key string
	http      *http.Client
}

// problem is an RFC 9457 error body.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Path     string `json:"path"`
		Message  string `json:"message"`
		Position string `json:"position"`
	} `json:"errors"`
	Workflows []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"workflows"`
}

// apiError is a non-2xx answer.
type apiError struct {
	status  int
	problem problem
	raw     string
}

func (e *apiError) Error() string {
	if e.problem.Detail != "" {
		return fmt.Sprintf("%s (HTTP %d)", e.problem.Detail, e.status)
	}
	if e.problem.Title != "" {
		return fmt.Sprintf("%s (HTTP %d)", e.problem.Title, e.status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.status, strings.TrimSpace(e.raw))
}

// do sends a request and decodes a 2xx JSON answer into out. Network
// failures and 5xx answers exit with exitService, 4xx with exitUser.
func (c *apiClient) do(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	switch b := in.(type) {
	case nil:
	case json.RawMessage:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, usagef("building request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, &exitError{code: exitService, err: fmt.Errorf("reaching %s: %w", c.base, err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp.StatusCode, &exitError{code: exitService, err: fmt.Errorf("reading the answer of %s %s: %w", method, path, err)}
	}
	if resp.StatusCode >= 300 {
		ae := &apiError{status: resp.StatusCode, raw: string(raw)}
		_ = json.Unmarshal(raw, &ae.problem)
		code := exitUser
		if resp.StatusCode >= 500 {
			code = exitService
		}
		return resp.StatusCode, &exitError{code: code, err: ae}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, &exitError{code: exitService, err: fmt.Errorf("decoding the answer of %s %s: %w", method, path, err)}
		}
	}
	return resp.StatusCode, nil
}

// asAPIError returns the API error inside err, if any.
func asAPIError(err error) (*apiError, bool) {
	var ae *apiError
	ok := errors.As(err, &ae)
	return ae, ok
}

// printJSON writes v indented.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseFlags parses args; -h stays flag.ErrHelp (exit 0), anything else is
// a usage error (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	return nil
}

// argAndClient parses a command whose one positional argument is
// required (usage is the error without it), checks -o and resolves the
// API client: the start of every command that acts on one named thing.
func (f *clientFlags) argAndClient(fs *flag.FlagSet, args []string, usage string) (string, *apiClient, error) {
	arg, err := parseWithArg(fs, args)
	if err != nil {
		return "", nil, err
	}
	if arg == "" {
		return "", nil, usagef("%s", usage)
	}
	if err := f.checkOutput(); err != nil {
		return "", nil, err
	}
	c, err := f.client()
	if err != nil {
		return "", nil, err
	}
	return arg, c, nil
}

// parseWithArg parses a command line with one positional argument (an id
// or a name) that may come before or after the flags, and returns it; ""
// when there is none. More than one is a usage error.
func parseWithArg(fs *flag.FlagSet, args []string) (string, error) {
	var arg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		arg, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	rest := fs.Args()
	if arg == "" && len(rest) > 0 {
		arg, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		// `hookflow replay A B` must not act on A alone and drop B
		// without a word: one command acts on one thing.
		return "", usagef("one argument only: got %q and also %s; run the command once for each", arg, strings.Join(rest, " "))
	}
	return arg, nil
}
