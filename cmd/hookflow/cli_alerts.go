package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
)

func init() {
	extraCommands = append(extraCommands,
		command{Name: "alerts", Short: "health alert rules and incidents: alerts list|create|delete|incidents", Run: runAlerts})
}

const alertsUsage = `Usage:
  hookflow alerts list                      list the alert rules
  hookflow alerts create FLAGS              create a rule from flags
  hookflow alerts create -f RULE.json       create a rule from a JSON file
  hookflow alerts delete ID                 delete a rule and its incidents
  hookflow alerts incidents [--open]        list open and recently resolved incidents

A rule runs its alert workflow once when KIND passes THRESHOLD within
WINDOW for its target, and once more when the count falls back below:

  hookflow alerts create --kind workflow_failures --target '*' \
      --threshold 3 --window 10m --workflow "Alert Slack"

Kinds: endpoint_rejections (target: an endpoint id), workflow_failures
(a workflow id or name), destination_dead_letters (a host); '*' watches
every target, each on its own incident.`

// runAlerts is `hookflow alerts`: the /api/v1/alerts routes on the
// command line.
func runAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("alerts", alertsUsage, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", alertsUsage)
		fs.PrintDefaults()
	}
	var f clientFlags
	f.register(fs, true)
	file := fs.String("f", "", "create: read the rule from this JSON file ('-' for stdin)")
	name := fs.String("name", "", "create: the rule's name (default: made from kind, target and threshold)")
	kind := fs.String("kind", "", "create: endpoint_rejections, workflow_failures or destination_dead_letters")
	target := fs.String("target", "", "create: endpoint id, workflow id or name, destination host, or '*'")
	threshold := fs.Int("threshold", 0, "create: how many in the window open an incident")
	window := fs.String("window", "", "create: the window counted, e.g. 10m or 1h")
	cooldown := fs.String("cooldown", "", "create: after a recovery, no new incident for this long (e.g. 30m)")
	workflow := fs.String("workflow", "", "create: the alert workflow to run (id or name)")
	open := fs.Bool("open", false, "incidents: only those still firing")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("alerts what? one of list, create, delete, incidents (hookflow alerts --help)")
	}
	sub, pos := pos[0], pos[1:]
	want := map[string]int{"list": 0, "create": 0, "delete": 1, "incidents": 0}
	n, ok := want[sub]
	if !ok {
		return usagef("unknown alerts command %q: want one of list, create, delete, incidents", sub)
	}
	if len(pos) != n {
		return usagef("hookflow alerts %s takes %d arguments, got %d\n\n%s", sub, n, len(pos), alertsUsage)
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		var page struct {
			Items []map[string]any `json:"items"`
		}
		if _, err := c.do(ctx, "GET", "/api/v1/alerts", nil, &page); err != nil {
			return err
		}
		if f.output == "json" {
			return printJSON(stdout, page.Items)
		}
		printTable(stdout, []string{"id", "name", "kind", "target", "threshold", "window", "workflow_id", "enabled"}, page.Items)
	case "create":
		var body any
		if *file != "" {
			raw, err := readRuleFile(*file)
			if err != nil {
				return err
			}
			body = raw
		} else {
			rule := map[string]any{}
			for k, v := range map[string]string{"name": *name, "kind": *kind, "target": *target, "window": *window,
				"cooldown": *cooldown, "workflow": *workflow} {
				if v != "" {
					rule[k] = v
				}
			}
			if *threshold != 0 {
				rule["threshold"] = *threshold
			}
			body = rule
		}
		var r map[string]any
		if _, err := c.do(ctx, "POST", "/api/v1/alerts", body, &r); err != nil {
			return err
		}
		if f.output == "json" {
			return printJSON(stdout, r)
		}
		fmt.Fprintf(stdout, "created alert rule %s: %s\n", cell(r["id"]), cell(r["name"]))
	case "delete":
		if _, err := c.do(ctx, "DELETE", "/api/v1/alerts/"+url.PathEscape(pos[0]), nil, nil); err != nil {
			return err
		}
		if f.output != "json" {
			fmt.Fprintf(stdout, "deleted alert rule %s\n", pos[0])
		}
	case "incidents":
		q := url.Values{}
		if *open {
			q.Set("state", "open")
		}
		var page struct {
			Items []map[string]any `json:"items"`
		}
		if _, err := c.do(ctx, "GET", "/api/v1/alerts/incidents?"+q.Encode(), nil, &page); err != nil {
			return err
		}
		if f.output == "json" {
			return printJSON(stdout, page.Items)
		}
		printTable(stdout, []string{"id", "rule_id", "target", "state", "count", "started_at", "resolved_at"}, page.Items)
	}
	return nil
}

// readRuleFile reads a rule as JSON from path ("-": stdin).
func readRuleFile(path string) (json.RawMessage, error) {
	var raw []byte
	var err error
	if path == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, userf("reading the rule: %v", err)
	}
	if !json.Valid(raw) {
		return nil, userf("%s is not JSON: write the rule as an object like {\"kind\": \"workflow_failures\", \"target\": \"*\", \"threshold\": 3, \"window\": \"10m\", \"workflow\": \"Alert Slack\"}", strconv.Quote(path))
	}
	return raw, nil
}
