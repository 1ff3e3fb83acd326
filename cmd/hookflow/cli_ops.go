package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The operations of the UI's run, event and delivery pages on the command
// line: listen, activate/deactivate, cancel, retry (whole or from the
// failed step), bulk replay (replay --bulk, in runReplay) and deliveries.
func init() {
	extraCommands = append(extraCommands,
		command{Name: "listen", Short: "print a workflow's webhook URL and the events it receives, as they arrive", Run: runListen},
		command{Name: "activate", Short: "activate a workflow: its triggers start runs", Run: func(ctx context.Context, a []string, o, e io.Writer) error {
			return runActivation(ctx, "activate", a, o, e)
		}},
		command{Name: "deactivate", Short: "deactivate a workflow: its triggers stop starting runs", Run: func(ctx context.Context, a []string, o, e io.Writer) error {
			return runActivation(ctx, "deactivate", a, o, e)
		}},
		command{Name: "cancel", Short: "cancel a running run", Run: runCancel},
		command{Name: "retry", Short: "retry a finished run, whole or from its failed step", Run: runRetry},
		command{Name: "deliveries", Short: "outgoing webhook deliveries: deliveries list|retry", Run: runDeliveries},
	)
}

// listenPoll is how long one listen request waits, below the CLI's
// per-request timeout.
const listenPoll = 25 * time.Second

const listenUsage = `Usage: hookflow listen WORKFLOW [--count N]
Prints the webhook URL of WORKFLOW (name or id) and then every event it
receives, as it arrives (each is also kept as the endpoint's sample), until
Ctrl-C or --count events.`

func runListen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("listen", listenUsage, stderr)
	var f clientFlags
	f.register(fs, true)
	count := fs.Int("count", 0, "stop after this many events (0: until interrupted)")
	name, c, err := f.argAndClient(fs, args, "usage: hookflow listen WORKFLOW")
	if err != nil {
		return err
	}
	wf, err := resolveWorkflow(ctx, c, name)
	if err != nil {
		return err
	}
	if len(wf.Endpoints) == 0 {
		return usagef("workflow %s has no webhook URL (its trigger is not a webhook)", wf.Name)
	}
	ep := wf.Endpoints[0]
	fmt.Fprintf(stderr, "listening on %s (Ctrl-C to stop)\n", ep.URL)
	if !wf.Active {
		fmt.Fprintf(stderr, "note: %s is not active; events are captured but start no run (hookflow activate %s)\n", wf.Name, wf.Name)
	}
	for n := 0; *count == 0 || n < *count; {
		var ev map[string]any
		q := "/api/v1/endpoints/" + url.PathEscape(ep.ID) + "/listen?timeout=" + listenPoll.String()
		status, err := c.do(ctx, "POST", q, nil, &ev)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if status == http.StatusNoContent || ev == nil {
			continue
		}
		n++
		if f.output == "json" {
			if err := printJSON(stdout, ev); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(stdout, "%s  %s  %s  %s\n", cell(ev["received_at"]), cell(ev["id"]), cell(ev["type"]), cell(ev["status"]))
	}
	return nil
}

func runActivation(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet(verb, fmt.Sprintf("Usage: hookflow %s WORKFLOW\n%ss the workflow (name or id).", verb, strings.ToUpper(verb[:1])+verb[1:]), stderr)
	var f clientFlags
	f.register(fs, true)
	name, c, err := f.argAndClient(fs, args, "usage: hookflow "+verb+" WORKFLOW")
	if err != nil {
		return err
	}
	wf, err := resolveWorkflow(ctx, c, name)
	if err != nil {
		return err
	}
	var out map[string]any
	if _, err := c.do(ctx, "POST", "/api/v1/workflows/"+url.PathEscape(wf.ID)+"/"+verb, nil, &out); err != nil {
		return err
	}
	if f.output == "json" {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "%sd %s (%s)\n", verb, wf.Name, wf.ID)
	return nil
}

func runCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cancel", "Usage: hookflow cancel RUN_ID\nAsks a running run to stop; it ends as cancelled at its next step boundary.", stderr)
	var f clientFlags
	f.register(fs, true)
	id, c, err := f.argAndClient(fs, args, "usage: hookflow cancel RUN_ID")
	if err != nil {
		return err
	}
	var out map[string]any
	if _, err := c.do(ctx, "POST", "/api/v1/runs/"+url.PathEscape(id)+"/cancel", nil, &out); err != nil {
		return err
	}
	if f.output == "json" {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "cancelling run %s\n", id)
	return nil
}

const retryUsage = `Usage: hookflow retry RUN_ID [--from failed|STEP] [--version same|current|N]
Starts a new run of a finished run's event, linked by retry_of. Without
--from it runs the whole workflow again (on the current version unless
--version says otherwise). --from failed reuses the outputs of every step
the run completed (shown as "reused", not run again) and runs from the
failed step on; --from STEP resumes at a step that ran (its path, e.g.
notify[2].send). A resume runs the same version unless --version current.`

func runRetry(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("retry", retryUsage, stderr)
	var f clientFlags
	f.register(fs, true)
	from := fs.String("from", "", "start (default), failed, or the path of a step that ran")
	version := fs.String("version", "", "same, current or a version number")
	id, c, err := f.argAndClient(fs, args, "usage: hookflow retry RUN_ID [--from failed|STEP] [--version same|current]")
	if err != nil {
		return err
	}
	body := map[string]any{}
	if *from != "" {
		body["from"] = *from
	}
	if *version != "" {
		var n int
		if _, err := fmt.Sscanf(*version, "%d", &n); err == nil && fmt.Sprint(n) == *version {
			body["version"] = n
		} else if *version == "same" || *version == "current" {
			body["version"] = *version
		} else {
			return usagef("--version must be same, current or a version number, got %q", *version)
		}
	}
	var out map[string]any
	if _, err := c.do(ctx, "POST", "/api/v1/runs/"+url.PathEscape(id)+"/retry", body, &out); err != nil {
		return err
	}
	if f.output == "json" {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "retrying run %s from %s as run %s\n", id, cell(out["from"]), cell(out["id"]))
	return nil
}

const deliveriesUsage = `Usage:
  hookflow deliveries list [--status dead|failed|pending|succeeded] [--workflow W]
  hookflow deliveries retry DELIVERY_ID
list shows outgoing webhook deliveries, newest first (--status dead is the
dead-letter list). retry sends a failed or dead delivery once more; when it
arrives, its failed run goes on after the delivery's step.`

func runDeliveries(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("deliveries", deliveriesUsage, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", deliveriesUsage)
		fs.PrintDefaults()
	}
	var f clientFlags
	f.register(fs, true)
	status := fs.String("status", "", "list: only deliveries in this status")
	workflow := fs.String("workflow", "", "list: only deliveries of this workflow (name or id)")
	limit := fs.Int("limit", 50, "list: how many rows (1-500)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("deliveries what? list or retry (hookflow deliveries --help)")
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	switch pos[0] {
	case "list":
		if len(pos) != 1 {
			return usagef("hookflow deliveries list takes no arguments, got %d", len(pos)-1)
		}
		if *status != "" && !slices.Contains([]string{"dead", "failed", "pending", "succeeded"}, *status) {
			return usagef("--status must be dead, failed, pending or succeeded, got %q", *status)
		}
		c, err := f.client()
		if err != nil {
			return err
		}
		q := url.Values{}
		q.Set("limit", fmt.Sprint(*limit))
		if *status != "" {
			q.Set("status", *status)
		}
		if *workflow != "" {
			wf, err := resolveWorkflow(ctx, c, *workflow)
			if err != nil {
				return err
			}
			q.Set("workflow_id", wf.ID)
		}
		var page struct {
			Items []map[string]any `json:"items"`
		}
		if _, err := c.do(ctx, "GET", "/api/v1/deliveries?"+q.Encode(), nil, &page); err != nil {
			return err
		}
		if f.output == "json" {
			return printJSON(stdout, page.Items)
		}
		printTable(stdout, []string{"id", "status", "attempts", "last_status", "destination", "run_id", "resumed_run_id"}, page.Items)
		return nil
	case "retry":
		if len(pos) != 2 {
			return usagef("usage: hookflow deliveries retry DELIVERY_ID (one id)")
		}
		c, err := f.client()
		if err != nil {
			return err
		}
		var out map[string]any
		if _, err := c.do(ctx, "POST", "/api/v1/deliveries/"+url.PathEscape(pos[1])+"/retry", nil, &out); err != nil {
			return err
		}
		if f.output == "json" {
			return printJSON(stdout, out)
		}
		fmt.Fprintf(stdout, "retrying delivery %s; when it arrives its run goes on (hookflow deliveries list shows resumed_run_id)\n", pos[1])
		return nil
	default:
		return usagef("unknown deliveries command %q: want list or retry", pos[0])
	}
}

const bulkReplayUsage = `Usage: hookflow replay --bulk [--workflow W] [--status failed] [--since 1h] [--max N] [--version N]
Replays every logged event that matches (at most --max, default 100).`

// runBulkReplay is `hookflow replay --bulk`: POST /events/replay.
func runBulkReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("replay", bulkReplayUsage, stderr)
	var f clientFlags
	f.register(fs, true)
	fs.Bool("bulk", true, "replay every event that matches the filters")
	workflow := fs.String("workflow", "", "only events of this workflow (name or id)")
	status := fs.String("status", "", "only events in this status (failed, filtered, unparseable…)")
	typ := fs.String("type", "", "only events of this type")
	since := fs.String("since", "", "only events received in this last duration (1h, 30m) or since this RFC 3339 time")
	max := fs.Int("max", 100, "replay at most this many events")
	version := fs.Int("version", 0, "run on this workflow version (default: current)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("replay --bulk takes filters, not event ids (got %s)", strings.Join(pos, " "))
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	body := map[string]any{"status": *status, "type": *typ, "max": *max, "version": *version}
	if *workflow != "" {
		wf, err := resolveWorkflow(ctx, c, *workflow)
		if err != nil {
			return err
		}
		body["workflow_id"] = wf.ID
	}
	if *since != "" {
		if d, err := time.ParseDuration(*since); err == nil {
			body["since"] = time.Now().Add(-d).UTC().Format(time.RFC3339)
		} else if _, err := time.Parse(time.RFC3339, *since); err == nil {
			body["since"] = *since
		} else {
			return usagef("--since must be a duration (1h, 30m) or an RFC 3339 time, got %q", *since)
		}
	}
	var out map[string]any
	if _, err := c.do(ctx, "POST", "/api/v1/events/replay", body, &out); err != nil {
		return err
	}
	if f.output == "json" {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "replayed %s event(s)\n", cell(out["replayed"]))
	return nil
}

// isBulk reports whether replay's arguments ask for a bulk replay.
func isBulk(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == "--bulk" || a == "-bulk" || a == "--bulk=true" })
}
