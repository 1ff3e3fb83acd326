package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/platform/devserver"
	"github.com/hookflow/hookflow/engine/store"
)

func runTemporal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "setup-schema" {
		return runTemporalSetup(ctx, args[1:], stdout, stderr)
	}
	cfg := config.Default()
	fs := newFlagSet("temporal", "Usage: hookflow temporal [flags]\n       hookflow temporal setup-schema --temporal-postgres-url URL\n\nRuns only the embedded Temporal server, so several `hookflow server` and\n`hookflow worker` processes can share it; point them at it with\n--temporal-address <host>:<port>. Its data lives in SQLite in the data\nfolder, or in PostgreSQL with --temporal-postgres-url (the production\ntopology), which `hookflow temporal setup-schema` prepares first.", stderr)
	if err := config.Parse(fs, &cfg, config.GroupCore|config.GroupEmbedded|config.GroupDebug, args, os.Getenv); err != nil {
		return err
	}
	logger := cfg.NewLogger()
	app.ApplyMemoryLimit(cfg.MemoryLimitMiB)
	if cfg.PprofAddr != "" {
		p, err := app.ServePprof(cfg.PprofAddr, logger)
		if err != nil {
			return err
		}
		defer p.Close()
	}
	srv, err := devserver.Start(ctx, devserver.Config{
		DataDir:   cfg.DataDir,
		Port:      cfg.TemporalPort,
		Namespace: cfg.TemporalNamespace,
		LogLevel:  cfg.TemporalLogLevel,
		Logger:    logger,
		// PostgreSQL persistence for the production topology.
		PostgresURL: cfg.TemporalPostgresURL,
		Shards:      cfg.TemporalShards,
	})
	if err != nil {
		return err
	}
	where := "data in " + cfg.DataDir
	if cfg.TemporalPostgresURL != "" {
		where = fmt.Sprintf("data in PostgreSQL, %d history shards", cfg.TemporalShards)
	}
	fmt.Fprintf(stdout, "embedded Temporal listening on %s (namespace %s, %s)\n",
		srv.Address(), cfg.TemporalNamespace, where)
	<-ctx.Done()
	return srv.Stop()
}

// runTemporalSetup prepares the PostgreSQL databases a PostgreSQL-backed
// Temporal server keeps its data in. It is idempotent: run it before the
// first start and after every upgrade.
func runTemporalSetup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := newFlagSet("temporal setup-schema", "Usage: hookflow temporal setup-schema --temporal-postgres-url postgres://user:pass@host:5432/temporal\n\nCreates the Temporal and visibility databases (<name> and <name>_visibility)\nwhen missing and brings them to the schema of the Temporal server hookflow\nembeds. Safe to run again: it applies only what is missing.", stderr)
	if err := config.Parse(fs, &cfg, config.GroupEmbedded|config.GroupDebug, args, os.Getenv); err != nil {
		return err
	}
	if cfg.TemporalPostgresURL == "" {
		return fmt.Errorf("setup-schema needs --temporal-postgres-url (or HOOKFLOW_TEMPORAL_POSTGRES_URL): SQLite data folders are set up by the server itself")
	}
	if err := devserver.SetupPostgres(ctx, cfg.TemporalPostgresURL); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Temporal's PostgreSQL schema is up to date")
	return nil
}

func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if cfg.DatabaseURL == "" {
		// The default store lives in the data folder; a fresh machine has none.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("creating data folder: %w", err)
		}
	}
	return store.Open(ctx, cfg.StoreURL())
}
