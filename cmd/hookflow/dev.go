package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/platform/devserver"
)

// DefaultReadyTimeout bounds how long `hookflow dev` waits for readiness
// before giving up.
const DefaultReadyTimeout = 60 * time.Second

const devGroups = config.GroupCore | config.GroupHTTP | config.GroupStore | config.GroupEmbedded |
	config.GroupSecrets | config.GroupQueue | config.GroupConnectors | config.GroupDebug | config.GroupWorker

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	cfg := config.Default()
	cfg.MemoryLimitMiB = config.DefaultDevMemoryLimitMiB
	fs := newFlagSet("dev", "Runs the embedded Temporal server, the store (SQLite in the data folder unless\n--database-url says otherwise), the API, the webhook endpoints and the worker\nin one process.", stderr)
	resetKey := fs.Bool("reset-key", false, "revoke the admin API key and print a new one")
	if err := config.Parse(fs, &cfg, devGroups, args, os.Getenv); err != nil {
		return err
	}
	logger := cfg.NewLogger()
	if !publicURLSet(fs) {
		// Webhook URLs must point at the port actually served.
		cfg.PublicURL = defaultPublicURL(cfg, localURL(cfg.HTTPAddr, cfg.TLSEnabled()))
	}

	// Fail at once, naming the port, if another instance holds it. The
	// embedded Temporal port is checked by devserver.Start.
	if err := checkListen(cfg.HTTPAddr); err != nil {
		return err
	}
	srv, err := devserver.Start(ctx, devserver.Config{
		DataDir:   cfg.DataDir,
		Port:      cfg.TemporalPort,
		Namespace: cfg.TemporalNamespace,
		LogLevel:  cfg.TemporalLogLevel,
		Logger:    logger,
		// PostgreSQL persistence, when asked for (see `hookflow temporal`).
		PostgresURL: cfg.TemporalPostgresURL,
		Shards:      cfg.TemporalShards,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			logger.Warn("stopping embedded Temporal", "error", err)
		}
	}()
	cfg.TemporalAddress = srv.Address()

	a, err := newApp(ctx, cfg, app.Options{
		Role:              app.RoleAll,
		Migrate:           true,
		SecretKey:         true,
		SecretKeyGenerate: true,
		Logger:            logger,
	})
	if err != nil {
		return err
	}
	adminKey, err := app.EnsureAdminKey(ctx, a.Deps().Store, *resetKey)
	if err != nil {
		a.Close()
		return err
	}

	runErr := make(chan error, 1)
	go func() { runErr <- a.Run(ctx) }()

	readyCtx, cancel := context.WithTimeout(ctx, DefaultReadyTimeout)
	err = a.WaitReady(readyCtx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return <-runErr
		}
		return err
	}
	printBanner(stdout, cfg, srv.Address(), adminKey, time.Since(start))
	return <-runErr
}

func printBanner(w io.Writer, cfg config.Config, temporalAddr, adminKey string, took time.Duration) {
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		dir = cfg.DataDir
	}
	fmt.Fprintf(w, "hookflow dev ready in %s\n", took.Round(time.Millisecond))
	fmt.Fprintf(w, "  UI and API:   %s\n", cfg.PublicURL)
	fmt.Fprintf(w, "  Webhooks:     %s<token>\n", cfg.WebhookBaseURL())
	fmt.Fprintf(w, "  Temporal:     %s (namespace %s)\n", temporalAddr, cfg.TemporalNamespace)
	fmt.Fprintf(w, "  Data folder:  %s\n", dir)
	if adminKey != "" {
		fmt.Fprintf(w, "  Admin API key: %s\n", adminKey)
		fmt.Fprintln(w, "    shown only now; `hookflow dev --reset-key` makes a new one")
	}
}

// checkListen reports a busy or unusable listen address with the address in
// the message.
func checkListen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("HTTP port %s is busy or not usable: %w", addr, err)
	}
	return ln.Close()
}

// publicURLSet reports whether the public URL was given as a flag or in the
// environment.
func publicURLSet(fs *flag.FlagSet) bool {
	set := os.Getenv(config.EnvName("public-url")) != ""
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "public-url" {
			set = true
		}
	})
	return set
}

// localURL is the http://localhost URL of a listen address like ":8080" or
// "127.0.0.1:9000", https:// when the listener serves HTTPS.
func localURL(addr string, https bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return config.DefaultPublicURL
	}
	if host == "" || host == "0.0.0.0" || host == "::" || host == "127.0.0.1" {
		host = "localhost"
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// defaultPublicURL is the public URL when none is configured: the first
// host of automatic certificates, which providers reach on port 443 (the
// certificate authority checks that port too), or else fallback.
func defaultPublicURL(cfg config.Config, fallback string) string {
	if len(cfg.TLSAutoHosts) > 0 {
		return "https://" + cfg.TLSAutoHosts[0]
	}
	return fallback
}
