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
	cfg := config.Default()
	fs := newFlagSet("temporal", "Runs only the embedded Temporal server, with SQLite in the data folder, so\nseveral `hookflow server` and `hookflow worker` processes on one machine can\nshare it. Point them at it with --temporal-address 127.0.0.1:<port>.", stderr)
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
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "embedded Temporal listening on %s (namespace %s, data in %s)\n",
		srv.Address(), cfg.TemporalNamespace, cfg.DataDir)
	<-ctx.Done()
	return srv.Stop()
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
