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

	"github.com/hookflow/hookflow/engine/platform/config"
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
			name: "HTTP edge defaults",
			check: func(t *testing.T, c config.Config) {
				if c.HTTPReadHeaderTimeout != 10*time.Second || c.HTTPBodyTimeout != 30*time.Second || c.HTTPIdleTimeout != 2*time.Minute ||
					c.MaxInFlightWebhooks != 256 || c.TLSChallengeAddr != ":80" || c.TLSEnabled() || len(c.TrustedProxies) != 0 {
					t.Errorf("unexpected HTTP edge defaults: %+v", c)
				}
				if c.TLSCacheFolder() != filepath.Join(".hookflow", "autocert") {
					t.Errorf("TLSCacheFolder = %q", c.TLSCacheFolder())
				}
			},
		},
		{
			name: "HTTP edge and TLS settings",
			args: []string{"--http-body-timeout", "5s", "--max-inflight-webhooks", "32", "--tls-auto-host", "hooks.example.com, api.example.com",
				"--tls-acme-email", "ops@example.com", "--tls-challenge-addr", ""},
			env: map[string]string{"HOOKFLOW_HTTP_IDLE_TIMEOUT": "1m", "HOOKFLOW_HTTP_READ_HEADER_TIMEOUT": "3s",
				"HOOKFLOW_TRUSTED_PROXIES": "10.0.0.0/8,192.168.1.7", "HOOKFLOW_TLS_CACHE_DIR": "/var/lib/certs"},
			check: func(t *testing.T, c config.Config) {
				if c.HTTPBodyTimeout != 5*time.Second || c.HTTPIdleTimeout != time.Minute || c.HTTPReadHeaderTimeout != 3*time.Second ||
					c.MaxInFlightWebhooks != 32 || c.TLSChallengeAddr != "" || c.TLSACMEEmail != "ops@example.com" {
					t.Errorf("settings not applied: %+v", c)
				}
				if strings.Join(c.TLSAutoHosts, "|") != "hooks.example.com|api.example.com" || !c.TLSEnabled() {
					t.Errorf("TLSAutoHosts = %q", c.TLSAutoHosts)
				}
				if strings.Join(c.TrustedProxies, "|") != "10.0.0.0/8|192.168.1.7" || c.TLSCacheFolder() != "/var/lib/certs" {
					t.Errorf("TrustedProxies = %q, cache %q", c.TrustedProxies, c.TLSCacheFolder())
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
		{name: "zero body timeout", args: []string{"--http-body-timeout", "0s"}, want: "--http-body-timeout (HOOKFLOW_HTTP_BODY_TIMEOUT): must be positive"},
		{name: "zero in-flight cap", env: map[string]string{"HOOKFLOW_MAX_INFLIGHT_WEBHOOKS": "0"}, want: "--max-inflight-webhooks (HOOKFLOW_MAX_INFLIGHT_WEBHOOKS): must be positive"},
		{name: "bad trusted proxy", args: []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}, want: `--trusted-proxies (HOOKFLOW_TRUSTED_PROXIES): "proxy.local" is not an IP address or CIDR`},
		{name: "TLS cert without key", args: []string{"--tls-cert", "tls.crt"}, want: "HTTPS from files needs both --tls-cert and --tls-key"},
		{name: "TLS files and automatic", args: []string{"--tls-cert", "tls.crt", "--tls-key", "tls.key", "--tls-auto-host", "hooks.example.com"}, want: "--tls-auto-host (HOOKFLOW_TLS_AUTO_HOST): give either certificate files"},
		{name: "automatic host with a scheme", args: []string{"--tls-auto-host", "https://hooks.example.com"}, want: `"https://hooks.example.com" must be a bare host name`},
		{name: "automatic host is an address", args: []string{"--tls-auto-host", "203.0.113.7"}, want: `"203.0.113.7" is an IP address`},
		{name: "automatic host without a dot", args: []string{"--tls-auto-host", "localhost"}, want: `"localhost" is not a public DNS name`},
		{name: "ACME directory not a URL", args: []string{"--tls-auto-host", "hooks.example.com", "--tls-acme-directory", "letsencrypt"}, want: "--tls-acme-directory"},
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
	readme, err := os.ReadFile("../../../README.md")
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
