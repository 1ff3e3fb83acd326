package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
)

const serverGroups = config.GroupCore | config.GroupHTTP | config.GroupStore | config.GroupTemporalClient |
	config.GroupSecrets | config.GroupQueue | config.GroupConnectors | config.GroupDebug

func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := newFlagSet("server", "Runs the API, UI and webhook ingestion. Connects to an external Temporal\n(--temporal-address) and database (--database-url). Run several behind a\nload balancer; they share nothing but Temporal and the database.", stderr)
	if err := config.Parse(fs, &cfg, serverGroups, args, os.Getenv); err != nil {
		return err
	}
	if !publicURLSet(fs) {
		cfg.PublicURL = defaultPublicURL(cfg, cfg.PublicURL)
	}
	if cfg.DispatchWorkers == 0 {
		// No worker here: starts wait on a remote Temporal, not on CPU.
		cfg.DispatchWorkers = config.DefaultRemoteDispatchWorkers
	}
	a, err := newApp(ctx, cfg, app.Options{
		Role:      app.RoleAPI,
		Migrate:   cfg.AutoMigrate,
		SecretKey: true,
	})
	if err != nil {
		return err
	}
	a.Deps().Logger.Info("hookflow server listening", "addr", a.Addr().String(), "https", cfg.TLSEnabled(), "public_url", cfg.PublicURL)
	return a.Run(ctx)
}

const workerGroups = config.GroupCore | config.GroupStore | config.GroupTemporalClient | config.GroupHealth |
	config.GroupSecrets | config.GroupQueue | config.GroupConnectors | config.GroupDebug | config.GroupWorker

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := newFlagSet("worker", "Runs the Temporal worker that executes workflow runs. Connects to an external\nTemporal (--temporal-address) and database (--database-url). Run as many as\nthe load needs.", stderr)
	if err := config.Parse(fs, &cfg, workerGroups, args, os.Getenv); err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, app.Options{
		Role:      app.RoleWorker,
		SecretKey: true,
	})
	if err != nil {
		return err
	}
	a.Deps().Logger.Info("hookflow worker polling", "temporal", cfg.TemporalAddress,
		"namespace", cfg.TemporalNamespace, "task_queue", cfg.TaskQueue)
	return a.Run(ctx)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := newFlagSet("migrate", "Applies pending database migrations and exits.", stderr)
	if err := config.Parse(fs, &cfg, config.GroupCore|config.GroupStore, args, os.Getenv); err != nil {
		return err
	}
	return migrate(ctx, cfg, stdout)
}

func migrate(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	where, _ := config.DescribeDatabaseURL(cfg.StoreURL())
	fmt.Fprintf(stdout, "%s is at schema version %d\n", where, v)
	return nil
}
