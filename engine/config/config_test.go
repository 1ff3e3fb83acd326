package config_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/config"
)

func parse(t *testing.T, groups config.Group, args []string, env map[string]string) (config.Config, string, error) {
	t.Helper()
	cfg := config.Default()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := config.Parse(fs, &cfg, groups, args, func(k string) string { return env[k] })
	return cfg, out.String(), err
}

func TestParsePrecedence(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c config.Config)
	}{
		{
			name: "defaults",
			check: func(t *testing.T, c config.Config) {
				if c.HTTPAddr != ":8080" || c.DataDir != ".hookflow" || c.TaskQueue != "hookflow" ||
					c.EventRetention != 30*24*time.Hour || c.MaxBodyBytes != 1<<20 || c.ShutdownTimeout != 10*time.Second ||
					c.TemporalPort != 7233 || c.TemporalLogLevel != "warn" || c.PublicURL != "http://localhost:8080" {
					t.Errorf("unexpected defaults: %+v", c)
				}
				if c.StoreURL() != "sqlite:"+filepath.Join(".hookflow", "hookflow.db") {
					t.Errorf("StoreURL = %q", c.StoreURL())
				}
			},
		},
		{
			name: "environment applies",
			env:  map[string]string{"HOOKFLOW_HTTP_ADDR": ":9000", "HOOKFLOW_EVENT_RETENTION": "7d", "HOOKFLOW_TEMPORAL_TLS": "true"},
			check: func(t *testing.T, c config.Config) {
				if c.HTTPAddr != ":9000" || c.EventRetention != 7*24*time.Hour || !c.TemporalTLS {
					t.Errorf("env not applied: %+v", c)
				}
			},
		},
		{
			name: "connector settings: lists and name=URL pairs",
			env:  map[string]string{"HOOKFLOW_SSRF_ALLOW": " 127.0.0.1/32, ,localhost ", "HOOKFLOW_CONNECTOR_BASE_URLS": "slack=http://127.0.0.1:9000, stripe = http://127.0.0.1:9001"},
			check: func(t *testing.T, c config.Config) {
				if strings.Join(c.SSRFAllow, "|") != "127.0.0.1/32|localhost" {
					t.Errorf("SSRFAllow = %q", c.SSRFAllow)
				}
				if len(c.ConnectorBaseURLs) != 2 || c.ConnectorBaseURLs["slack"] != "http://127.0.0.1:9000" || c.ConnectorBaseURLs["stripe"] != "http://127.0.0.1:9001" {
					t.Errorf("ConnectorBaseURLs = %v", c.ConnectorBaseURLs)
				}
			},
		},
		{
			name: "flag wins over environment",
			args: []string{"--http-addr", ":9100", "--shutdown-timeout=3s"},
			env:  map[string]string{"HOOKFLOW_HTTP_ADDR": ":9000", "HOOKFLOW_SHUTDOWN_TIMEOUT": "20s"},
			check: func(t *testing.T, c config.Config) {
				if c.HTTPAddr != ":9100" || c.ShutdownTimeout != 3*time.Second {
					t.Errorf("flag did not win: addr %q timeout %v", c.HTTPAddr, c.ShutdownTimeout)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := parse(t, config.GroupAll, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestParseErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{name: "bad env duration", env: map[string]string{"HOOKFLOW_SHUTDOWN_TIMEOUT": "soon"}, want: "HOOKFLOW_SHUTDOWN_TIMEOUT"},
		{name: "bad env number", env: map[string]string{"HOOKFLOW_MAX_BODY_BYTES": "1MB"}, want: "HOOKFLOW_MAX_BODY_BYTES"},
		{name: "bad public url", args: []string{"--public-url", "localhost"}, want: "--public-url"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, want: "--log-level"},
		{name: "cert without key", args: []string{"--temporal-tls-cert", "c.pem"}, want: "--temporal-tls-key"},
		{name: "negative body limit", args: []string{"--max-body-bytes", "-1"}, want: "--max-body-bytes"},
		{name: "base URL without a connector", args: []string{"--connector-base-urls", "http://x"}, want: `connector-base-urls: "http://x" is not name=value`},
		{name: "unknown database scheme", args: []string{"--database-url", "mysql://x"}, want: "--database-url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parse(t, config.GroupAll, tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

func TestUnknownFlagIsUsageError(t *testing.T) {
	_, out, err := parse(t, config.GroupCore, []string{"--http-addr", ":1"}, nil)
	if !errors.Is(err, config.ErrUsage) {
		t.Fatalf("err = %v, want ErrUsage (http-addr is not in GroupCore)", err)
	}
	if !strings.Contains(out, "http-addr") {
		t.Errorf("flag output does not name the flag: %q", out)
	}
}

func TestHelpListsEveryRegisteredSettingAndHidesSecrets(t *testing.T) {
	cfg := config.Default()
	cfg.SecretKey = "c2VjcmV0LXZhbHVl"
	cfg.TemporalAPIKey = "tmprl-api-key-value"
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	config.Register(fs, &cfg, config.GroupAll)
	fs.PrintDefaults()
	help := out.String()
	for _, s := range config.Settings() {
		if !strings.Contains(help, "-"+s.Flag) || !strings.Contains(help, s.Env) {
			t.Errorf("--help lacks %s / %s", s.Flag, s.Env)
		}
	}
	for _, secret := range []string{cfg.SecretKey, cfg.TemporalAPIKey} {
		if strings.Contains(help, secret) {
			t.Errorf("--help shows a secret value %q", secret)
		}
	}
}

func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("reading README: %v", err)
	}
	for _, s := range config.Settings() {
		if !bytes.Contains(readme, []byte("`--"+s.Flag+"`")) || !bytes.Contains(readme, []byte("`"+s.Env+"`")) {
			t.Errorf("README does not document --%s / %s", s.Flag, s.Env)
		}
	}
}

func TestDescribeDatabaseURLNeverShowsPassword(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{name: "postgres", url: "postgres://bob:pa55word@db.example:5432/hook?sslmode=disable", want: "postgres at db.example:5432/hook"},
		{name: "sqlite prefix", url: "sqlite:/var/lib/hookflow.db", want: "sqlite file /var/lib/hookflow.db"},
		{name: "plain path", url: "data/hookflow.db", want: "sqlite file data/hookflow.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.DescribeDatabaseURL(tc.url)
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			if strings.Contains(got, "pa55word") {
				t.Fatalf("password leaked: %q", got)
			}
		})
	}
	if _, err := config.DescribeDatabaseURL("postgres://bob:pa55word@[::1"); err == nil || strings.Contains(err.Error(), "pa55word") {
		t.Fatalf("bad URL error = %v; want an error without the password", err)
	}
}

func TestEnsureSecretKey(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	if _, err := cfg.EnsureSecretKey(false); err == nil || !strings.Contains(err.Error(), "HOOKFLOW_SECRET_KEY") {
		t.Fatalf("without key and without generate: err = %v, want one naming HOOKFLOW_SECRET_KEY", err)
	}
	first, err := cfg.EnsureSecretKey(true)
	if err != nil || len(first) < 40 {
		t.Fatalf("generated key %q, %v", first, err)
	}
	info, err := os.Stat(filepath.Join(cfg.DataDir, config.SecretKeyFileName))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, info.Mode())
	}
	again, err := cfg.EnsureSecretKey(false)
	if err != nil || again != first {
		t.Fatalf("second read = %q, %v; want the stored key", again, err)
	}
	cfg.SecretKey = "explicit"
	if k, _ := cfg.EnsureSecretKey(true); k != "explicit" {
		t.Fatalf("configured key ignored: %q", k)
	}
}
