package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func init() {
	extraCommands = append(extraCommands,
		command{Name: "login", Short: "save the server URL and API key for the other CLI commands", Run: runLogin},
		command{Name: "apply", Short: "create or update workflows from JSON files (-f FILE|DIR); prints webhook URLs", Run: runApply},
		command{Name: "get", Short: "list workflows, runs, events or credentials", Run: runGet},
		command{Name: "describe", Short: "show one run step by step (describe run ID)", Run: runDescribe},
		command{Name: "logs", Short: "show a workflow's runs; -f follows new runs live", Run: runLogs},
		command{Name: "replay", Short: "replay a logged event (a new run)", Run: runReplay},
		command{Name: "approve", Short: "answer the approval a run waits for (--reject to refuse)", Run: runApprove},
	)
}

// DefaultFollowInterval is how often `logs -f` polls for runs.
const DefaultFollowInterval = time.Second

func runLogin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("login", "Saves the server URL and API key in the user config folder (mode 0600),\nafter checking that the key works.", stderr)
	var f clientFlags
	f.register(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.url == "" || f.key == "" {
		return usagef("login needs --url and --key")
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	if _, err := c.do(ctx, "GET", "/api/v1/workflows?limit=1", nil, nil); err != nil {
		return err
	}
	path, err := saveCLIConfig(cliConfig{URL: c.base, Key: c.key})
	if err != nil {
		return &exitError{code: exitUser, err: err}
	}
	fmt.Fprintf(stdout, "Logged in to %s; saved in %s\n", c.base, path)
	return nil
}

// workflowOut is the part of a workflow the CLI prints.
type workflowOut struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Active         bool   `json:"active"`
	CurrentVersion int    `json:"current_version"`
	UpdatedAt      string `json:"updated_at"`
	Endpoints      []struct {
		ID      string `json:"id"`
		URL     string `json:"url"`
		Enabled bool   `json:"enabled"`
	} `json:"endpoints"`
}

// definitionFiles lists the .json files of -f arguments (a folder means
// its .json files, sorted).
func definitionFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, userf("%v", err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, userf("listing %s: %v", p, err)
		}
		slices.Sort(matches)
		out = append(out, matches...)
	}
	if len(out) == 0 {
		return nil, usagef("no workflow files: pass -f FILE or -f DIR")
	}
	return out, nil
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("apply", "Creates or updates each workflow by its name (-f may repeat; a folder means its\n*.json files). Prints the webhook URLs, or every validation error with its\nposition. Exits 1 when any file is invalid, so CI can gate on it.", stderr)
	var f clientFlags
	f.register(fs, true)
	var files multiFlag
	fs.Var(&files, "f", "workflow JSON file or folder (repeatable)")
	activate := fs.Bool("activate", false, "activate each workflow after applying it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	paths, err := definitionFiles(append(files, fs.Args()...))
	if err != nil {
		return err
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	type applied struct {
		File     string      `json:"file"`
		Created  bool        `json:"created"`
		Workflow workflowOut `json:"workflow"`
		Errors   any         `json:"errors,omitempty"`
	}
	var results []applied
	failed := 0
	for i, path := range paths {
		if f.output != "json" && len(paths) > 1 {
			fmt.Fprintf(stderr, "[%d/%d] applying %s\n", i+1, len(paths), path)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return userf("%v", err)
		}
		body := json.RawMessage(`{"definition": ` + string(raw) + "\n}")
		var res struct {
			Created  bool        `json:"created"`
			Workflow workflowOut `json:"workflow"`
		}
		_, err = c.do(ctx, "POST", "/api/v1/workflows/apply", body, &res)
		if ae, ok := asAPIError(err); ok && ae.status == 422 {
			failed++
			printProblems(stdout, path, raw, ae.problem)
			results = append(results, applied{File: path, Errors: ae.problem.Errors})
			continue
		}
		if err != nil {
			return err
		}
		if *activate {
			if _, err := c.do(ctx, "POST", "/api/v1/workflows/"+res.Workflow.ID+"/activate", nil, &res.Workflow); err != nil {
				return err
			}
		}
		results = append(results, applied{File: path, Created: res.Created, Workflow: res.Workflow})
		if f.output == "json" {
			continue
		}
		verb := "updated"
		if res.Created {
			verb = "created"
		}
		state := "inactive"
		if res.Workflow.Active {
			state = "active"
		}
		fmt.Fprintf(stdout, "%s: %s %q (%s, version %d, %s)\n", path, verb, res.Workflow.Name, res.Workflow.ID, res.Workflow.CurrentVersion, state)
		for _, ep := range res.Workflow.Endpoints {
			fmt.Fprintf(stdout, "  webhook URL: %s\n", ep.URL)
		}
	}
	if f.output == "json" {
		if err := printJSON(stdout, results); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &exitError{code: exitUser, err: fmt.Errorf("%d of %d files are invalid", failed, len(paths))}
	}
	return nil
}

// printProblems lists validation errors as `file: path: message (line:col)`
// with the offending line and a caret when the position is in the file.
func printProblems(w io.Writer, file string, src []byte, p problem) {
	if len(p.Errors) == 0 {
		fmt.Fprintf(w, "%s: %s\n", file, p.Detail)
		return
	}
	for _, e := range p.Errors {
		printProblem(w, file, src, e.Path, e.Message, e.Position, "")
	}
}

func printProblem(w io.Writer, file string, src []byte, path, message, position, snippet string) {
	line := file + ": "
	if path != "" {
		line += path + ": "
	}
	line += message
	if position != "" {
		line += " (" + position + ")"
	}
	fmt.Fprintln(w, line)
	if snippet != "" {
		fmt.Fprintln(w, strings.TrimPrefix(snippet, "\n"))
		return
	}
	// Without a snippet the position is in the document: show that line.
	if l, col, ok := parsePosition(position); ok && src != nil {
		lines := strings.Split(string(src), "\n")
		if l >= 1 && l <= len(lines) {
			text := strings.TrimRight(lines[l-1], "\r")
			fmt.Fprintf(w, " | %s\n | %s^\n", text, strings.Repeat(" ", max(col-1, 0)))
		}
	}
}

func parsePosition(p string) (line, col int, ok bool) {
	a, b, found := strings.Cut(p, ":")
	if !found {
		return 0, 0, false
	}
	line, err1 := strconv.Atoi(a)
	col, err2 := strconv.Atoi(b)
	return line, col, err1 == nil && err2 == nil
}

// listPath maps `get` resources to API lists and their table columns.
var getResources = map[string]struct {
	path    string
	columns []string
}{
	"workflows":   {"/api/v1/workflows", []string{"id", "name", "active", "current_version", "updated_at"}},
	"runs":        {"/api/v1/runs", []string{"id", "name", "workflow", "workflow_version", "status", "started_at", "ended_at", "retry_of"}},
	"events":      {"/api/v1/events", []string{"id", "workflow_id", "event_type", "provider_event_id", "status", "received_at", "replay_of"}},
	"credentials": {"/api/v1/credentials", []string{"id", "name", "connector", "hint", "updated_at"}},
}

func runGet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("get", "Usage: hookflow get workflows|runs|events|credentials [flags]\nLists a resource, newest first.", stderr)
	var f clientFlags
	f.register(fs, true)
	workflow := fs.String("workflow", "", "only this workflow's runs or events (id or name)")
	status := fs.String("status", "", "only runs or events with this status")
	limit := fs.Int("limit", 50, "how many rows (1-500)")
	all := fs.Bool("all", false, "follow next_cursor through every page")
	where := fs.String("where", "", "only runs or events whose event body has this value at this gjson path: customer.email=ada@example.com")
	resource, err := parseWithArg(fs, args)
	if err != nil {
		return err
	}
	kind := strings.TrimSuffix(resource, "s") + "s"
	res, ok := getResources[kind]
	if !ok {
		return usagef("get what? one of workflows, runs, events, credentials")
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *where != "" {
		if kind != "runs" && kind != "events" {
			return usagef("--where searches runs and events only")
		}
		path, value, ok := cutWhere(*where)
		if !ok {
			return usagef("--where %q: write PATH=VALUE, such as customer.email=ada@example.com", *where)
		}
		q.Set("path", path)
		q.Set("value", value)
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	if *workflow != "" {
		wf, err := resolveWorkflow(ctx, c, *workflow)
		if err != nil {
			return err
		}
		q.Set("workflow_id", wf.ID)
	}
	if *status != "" {
		q.Set("status", *status)
	}
	var items []map[string]any
	for {
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"next_cursor"`
		}
		if _, err := c.do(ctx, "GET", res.path+"?"+q.Encode(), nil, &page); err != nil {
			return err
		}
		items = append(items, page.Items...)
		if !*all || page.NextCursor == "" {
			break
		}
		q.Set("cursor", page.NextCursor)
	}
	if f.output == "json" {
		return printJSON(stdout, items)
	}
	if kind == "runs" {
		// The workflow column shows its name; a deleted workflow's id.
		for _, r := range items {
			if r["workflow"] = r["workflow_name"]; cell(r["workflow"]) == "-" {
				r["workflow"] = r["workflow_id"]
			}
		}
	}
	printTable(stdout, res.columns, items)
	return nil
}

// cutWhere splits a --where PATH=VALUE at its first "=" outside a gjson
// query's parentheses and quotes, so items.#(sku=="A1").qty=3 is the path
// items.#(sku=="A1").qty and the value 3.
func cutWhere(s string) (path, value string, ok bool) {
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '=' && depth == 0:
			return s[:i], s[i+1:], i > 0
		}
	}
	return "", "", false
}

// printTable renders rows as aligned columns.
func printTable(w io.Writer, columns []string, rows []map[string]any) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(columns, "\t")))
	for _, r := range rows {
		cells := make([]string, len(columns))
		for i, col := range columns {
			cells[i] = cell(r[col])
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		if x == "" {
			return "-"
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + cell(x[k])
		}
		return strings.Join(parts, " ")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// resolveWorkflow finds a workflow by id, or by name.
func resolveWorkflow(ctx context.Context, c *apiClient, idOrName string) (workflowOut, error) {
	var wf workflowOut
	_, err := c.do(ctx, "GET", "/api/v1/workflows/"+url.PathEscape(idOrName), nil, &wf)
	if ae, ok := asAPIError(err); !ok || ae.status != 404 {
		return wf, err
	}
	q := url.Values{"limit": {"500"}}
	for {
		var page struct {
			Items      []workflowOut `json:"items"`
			NextCursor string        `json:"next_cursor"`
		}
		if _, err := c.do(ctx, "GET", "/api/v1/workflows?"+q.Encode(), nil, &page); err != nil {
			return wf, err
		}
		for _, w := range page.Items {
			if w.Name == idOrName {
				return w, nil
			}
		}
		if page.NextCursor == "" {
			return wf, userf("no workflow with id or name %q", idOrName)
		}
		q.Set("cursor", page.NextCursor)
	}
}

// runOut is a run as the CLI prints it.
type runOut struct {
	ID              string     `json:"id"`
	WorkflowID      string     `json:"workflow_id"`
	WorkflowVersion int        `json:"workflow_version"`
	EventID         string     `json:"event_id"`
	Status          string     `json:"status"`
	StartedAt       time.Time  `json:"started_at"`
	EndedAt         *time.Time `json:"ended_at"`
	Error           string     `json:"error"`
	RetryOf         string     `json:"retry_of"`
	Live            bool       `json:"live"`
	Output          any        `json:"output"`
	Steps           []struct {
		Path       string          `json:"path"`
		Type       string          `json:"type"`
		Status     string          `json:"status"`
		Input      json.RawMessage `json:"input"`
		Output     json.RawMessage `json:"output"`
		Error      string          `json:"error"`
		ErrorClass string          `json:"error_class"`
		Attempts   int             `json:"attempts"`
		StartedAt  time.Time       `json:"started_at"`
		EndedAt    *time.Time      `json:"ended_at"`
		Mocked     bool            `json:"mocked"`
	} `json:"steps"`
}

func runDescribe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("describe", "Usage: hookflow describe run ID\nShows a run step by step: status, input, output, error, attempts, timings.", stderr)
	var f clientFlags
	f.register(fs, true)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		return parseFlags(fs, args[:1]) // prints the usage; --help exits 0 like every command
	}
	if len(args) < 2 || args[0] != "run" {
		return usagef("usage: hookflow describe run ID")
	}
	id := args[1]
	if err := parseFlags(fs, args[2:]); err != nil {
		return err
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	if f.output == "json" {
		var raw json.RawMessage
		if _, err := c.do(ctx, "GET", "/api/v1/runs/"+url.PathEscape(id), nil, &raw); err != nil {
			return err
		}
		return printJSON(stdout, raw)
	}
	var r runOut
	if _, err := c.do(ctx, "GET", "/api/v1/runs/"+url.PathEscape(id), nil, &r); err != nil {
		return err
	}
	describeRun(stdout, r)
	return nil
}

// describeRun prints a run as a readable step-by-step report.
func describeRun(w io.Writer, r runOut) {
	fmt.Fprintf(w, "Run:       %s\n", r.ID)
	fmt.Fprintf(w, "Workflow:  %s (version %d)\n", r.WorkflowID, r.WorkflowVersion)
	if r.EventID != "" {
		fmt.Fprintf(w, "Event:     %s\n", r.EventID)
	}
	if r.RetryOf != "" {
		fmt.Fprintf(w, "Retry of:  %s\n", r.RetryOf)
	}
	status := r.Status
	if r.Live {
		status += " (live)"
	}
	fmt.Fprintf(w, "Status:    %s\n", status)
	if !r.StartedAt.IsZero() {
		fmt.Fprintf(w, "Started:   %s\n", r.StartedAt.Format(time.RFC3339))
	}
	if r.EndedAt != nil {
		fmt.Fprintf(w, "Duration:  %s\n", r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond))
	}
	if r.Error != "" {
		fmt.Fprintf(w, "Error:     %s\n", r.Error)
	}
	fmt.Fprintf(w, "\nSteps (%d):\n", len(r.Steps))
	for i, s := range r.Steps {
		took := ""
		if s.EndedAt != nil {
			took = ", " + s.EndedAt.Sub(s.StartedAt).Round(time.Millisecond).String()
		}
		attempts := ""
		if s.Attempts > 1 {
			attempts = fmt.Sprintf(", %d attempts", s.Attempts)
		}
		mocked := ""
		if s.Mocked {
			mocked = ", mocked"
		}
		fmt.Fprintf(w, "%2d. %-24s %-15s %s%s%s%s\n", i+1, s.Path, s.Type, s.Status, took, attempts, mocked)
		if len(s.Input) > 0 && string(s.Input) != "null" {
			fmt.Fprintf(w, "      input:  %s\n", s.Input)
		}
		if len(s.Output) > 0 && string(s.Output) != "null" {
			fmt.Fprintf(w, "      output: %s\n", s.Output)
		}
		if s.Error != "" {
			class := ""
			if s.ErrorClass != "" {
				class = " [" + s.ErrorClass + "]"
			}
			fmt.Fprintf(w, "      error:  %s%s\n", s.Error, class)
		}
	}
}

func runLogs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("logs", "Usage: hookflow logs [-f] WORKFLOW\nLists a workflow's recent runs; with -f keeps following new runs and\nstatus changes until interrupted.", stderr)
	var f clientFlags
	f.register(fs, false)
	follow := fs.Bool("f", false, "follow new runs")
	interval := fs.Duration("interval", DefaultFollowInterval, "poll interval with -f")
	limit := fs.Int("limit", 20, "how many recent runs to show first")
	name, c, err := f.argAndClient(fs, args, "usage: hookflow logs [-f] WORKFLOW")
	if err != nil {
		return err
	}
	wf, err := resolveWorkflow(ctx, c, name)
	if err != nil {
		return err
	}
	seen := map[string]string{} // run id → last printed status
	poll := func() error {
		var page struct {
			Items []runOut `json:"items"`
		}
		q := url.Values{"workflow_id": {wf.ID}, "limit": {strconv.Itoa(*limit)}}
		if _, err := c.do(ctx, "GET", "/api/v1/runs?"+q.Encode(), nil, &page); err != nil {
			return err
		}
		for i := len(page.Items) - 1; i >= 0; i-- { // oldest first
			r := page.Items[i]
			if seen[r.ID] == r.Status {
				continue
			}
			seen[r.ID] = r.Status
			line := fmt.Sprintf("%s  %-10s %s  v%d", r.StartedAt.Local().Format("2006-01-02 15:04:05"), r.Status, r.ID, r.WorkflowVersion)
			if r.EventID != "" {
				line += "  event " + r.EventID
			}
			if r.EndedAt != nil {
				line += "  " + r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
			}
			if r.Error != "" {
				line += "  error: " + r.Error
			}
			fmt.Fprintln(stdout, line)
		}
		return nil
	}
	if err := poll(); err != nil {
		return err
	}
	if !*follow {
		return nil
	}
	fmt.Fprintf(stderr, "following runs of %q (Ctrl-C to stop)\n", wf.Name)
	t := time.NewTicker(*interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := poll(); err != nil {
				return err
			}
		}
	}
}

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if isBulk(args) {
		return runBulkReplay(ctx, args, stdout, stderr)
	}
	fs := newFlagSet("replay", "Usage: hookflow replay EVENT_ID [--version N]\nStarts a new run of a logged event; the new event records replay_of.", stderr)
	var f clientFlags
	f.register(fs, true)
	version := fs.Int("version", 0, "run on this workflow version (default: current)")
	id, c, err := f.argAndClient(fs, args, "usage: hookflow replay EVENT_ID")
	if err != nil {
		return err
	}
	var ev map[string]any
	if _, err := c.do(ctx, "POST", "/api/v1/events/"+url.PathEscape(id)+"/replay", map[string]any{"version": *version}, &ev); err != nil {
		return err
	}
	if f.output == "json" {
		return printJSON(stdout, ev)
	}
	fmt.Fprintf(stdout, "replayed %s as event %s (%s)\n", id, cell(ev["id"]), cell(ev["status"]))
	if rid := cell(ev["run_id"]); rid != "-" {
		fmt.Fprintf(stdout, "run: %s\n", rid)
	}
	return nil
}

func runApprove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("approve", "Usage: hookflow approve RUN_ID [--reject] [--comment TEXT] [--by NAME] [--step STEP]\n"+
		"Answers the approval a running run waits for (a wait_for_event step with approval).", stderr)
	var f clientFlags
	f.register(fs, true)
	reject := fs.Bool("reject", false, "refuse instead of approving")
	comment := fs.String("comment", "", "a comment the run sees as steps.<id>.comment")
	by := fs.String("by", "", "who decides (default: the API key's name)")
	step := fs.String("step", "", "the waiting approval step (default: the first that waits)")
	id, c, err := f.argAndClient(fs, args, "usage: hookflow approve RUN_ID [--reject] [--comment TEXT]")
	if err != nil {
		return err
	}
	body := map[string]any{"approved": !*reject, "comment": *comment, "by": *by, "step": *step}
	var out map[string]any
	if _, err := c.do(ctx, "POST", "/api/v1/runs/"+url.PathEscape(id)+"/approve", body, &out); err != nil {
		return err
	}
	if f.output == "json" {
		return printJSON(stdout, out)
	}
	verb := "approved"
	if *reject {
		verb = "rejected"
	}
	fmt.Fprintf(stdout, "%s run %s (by %s)\n", verb, id, cell(out["by"]))
	return nil
}
