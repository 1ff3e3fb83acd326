package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hookflow/hookflow/engine/platform/config"
)

// DefaultHealthcheckTimeout bounds `hookflow healthcheck`.
const DefaultHealthcheckTimeout = 5 * time.Second

func init() {
	extraCommands = append(extraCommands, command{
		Name:  "healthcheck",
		Short: "GET a readiness URL and exit 0 on 200 (for container healthchecks)",
		Run:   runHealthcheck,
	})
}

// runHealthcheck lets container images without curl or wget check
// themselves: `hookflow healthcheck http://127.0.0.1:8080/readyz`.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("healthcheck", "GETs URL (default http://127.0.0.1:8080/readyz) and exits 0 when it answers 200.\nWith HTTPS on, check https://127.0.0.1:PORT/readyz with --insecure.", stderr)
	timeout := fs.Duration("timeout", DefaultHealthcheckTimeout, "give up after this long")
	insecure := fs.Bool("insecure", false, "do not verify the HTTPS certificate: for checking this machine's own listener at 127.0.0.1, whose certificate names its public host")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", config.ErrUsage, err)
	}
	url := "http://127.0.0.1:8080/readyz"
	if fs.NArg() > 0 {
		url = fs.Arg(0)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	client := http.DefaultClient
	if *insecure {
		// A container probes itself at 127.0.0.1, a name no public
		// certificate carries; the answer, not the peer, is what is checked.
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("checking %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s answered %s: %s", url, resp.Status, body)
	}
	fmt.Fprintf(stdout, "%s: %s\n", url, resp.Status)
	return nil
}
