package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

func init() {
	extraCommands = append(extraCommands,
		command{Name: "data", Short: "browse and edit the data store: data stores|keys|get|set|delete", Run: runData})
}

const dataUsage = `Usage:
  hookflow data stores                         list the stores that hold keys
  hookflow data keys STORE [--prefix P] [--all] list a store's keys and values
  hookflow data get STORE KEY                  print a key's value (JSON)
  hookflow data set STORE KEY JSON [--ttl 24h] set a key to a JSON value ('"text"' for a string)
  hookflow data delete STORE KEY               delete a key

STORE is a named store, or workflow:<workflow id> for a workflow's private
store (--workflow NAME picks that store by the workflow's name or id).`

// runData is `hookflow data`: the data store's API routes on the command
// line.
func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("data", dataUsage, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", dataUsage)
		fs.PrintDefaults()
	}
	var f clientFlags
	f.register(fs, true)
	prefix := fs.String("prefix", "", "keys: only keys starting with this")
	limit := fs.Int("limit", 50, "keys: how many rows per page (1-500)")
	all := fs.Bool("all", false, "keys: follow next_cursor through every page")
	ttl := fs.String("ttl", "", "set: the key expires after this duration (30s, 2h, 3d)")
	workflow := fs.String("workflow", "", "use this workflow's private store (name or id) instead of a STORE argument")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("data what? one of stores, keys, get, set, delete (hookflow data --help)")
	}
	sub, pos := pos[0], pos[1:]
	want := map[string]int{"stores": 0, "keys": 1, "get": 2, "set": 3, "delete": 2}
	n, ok := want[sub]
	if !ok {
		return usagef("unknown data command %q: want one of stores, keys, get, set, delete", sub)
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	if *workflow != "" && sub != "stores" {
		wf, err := resolveWorkflow(ctx, c, *workflow)
		if err != nil {
			return err
		}
		pos = append([]string{"workflow:" + wf.ID}, pos...)
	}
	if len(pos) != n {
		return usagef("hookflow data %s takes %d arguments, got %d\n\n%s", sub, n, len(pos), dataUsage)
	}
	switch sub {
	case "stores":
		var page struct {
			Items []map[string]any `json:"items"`
		}
		if _, err := c.do(ctx, "GET", "/api/v1/data", nil, &page); err != nil {
			return err
		}
		if f.output == "json" {
			return printJSON(stdout, page.Items)
		}
		printTable(stdout, []string{"name", "keys"}, page.Items)
	case "keys":
		q := url.Values{"limit": {strconv.Itoa(*limit)}}
		if *prefix != "" {
			q.Set("prefix", *prefix)
		}
		var items []map[string]any
		for {
			var page struct {
				Items      []map[string]any `json:"items"`
				NextCursor string           `json:"next_cursor"`
			}
			if _, err := c.do(ctx, "GET", dataPath(pos[0], "")+"?"+q.Encode(), nil, &page); err != nil {
				return err
			}
			items = append(items, page.Items...)
			if !*all || page.NextCursor == "" {
				if page.NextCursor != "" && f.output != "json" {
					defer fmt.Fprintf(stderr, "more keys follow: add --all, or --prefix to narrow\n")
				}
				break
			}
			q.Set("cursor", page.NextCursor)
		}
		if f.output == "json" {
			return printJSON(stdout, items)
		}
		printTable(stdout, []string{"key", "value", "expires_at", "updated_at"}, items)
	case "get":
		var kv map[string]any
		if _, err := c.do(ctx, "GET", dataPath(pos[0], pos[1]), nil, &kv); err != nil {
			return err
		}
		if f.output == "json" {
			return printJSON(stdout, kv)
		}
		return printJSON(stdout, kv["value"])
	case "set":
		raw := json.RawMessage(pos[2])
		if !json.Valid(raw) {
			return usagef("the value %q is not JSON: write numbers, true/false, objects and arrays as they are, and quote text: '\"%s\"'",
				pos[2], strings.ReplaceAll(pos[2], `"`, `\"`))
		}
		body := map[string]any{"value": raw}
		if *ttl != "" {
			body["ttl"] = *ttl
		}
		var kv map[string]any
		if _, err := c.do(ctx, "PUT", dataPath(pos[0], pos[1]), body, &kv); err != nil {
			return err
		}
		if f.output == "json" {
			return printJSON(stdout, kv)
		}
		fmt.Fprintf(stdout, "set %s in %s", pos[1], pos[0])
		if exp := cell(kv["expires_at"]); exp != "-" {
			fmt.Fprintf(stdout, " (expires %s)", exp)
		}
		fmt.Fprintln(stdout)
	case "delete":
		if _, err := c.do(ctx, "DELETE", dataPath(pos[0], pos[1]), nil, nil); err != nil {
			return err
		}
		if f.output != "json" {
			fmt.Fprintf(stdout, "deleted %s from %s\n", pos[1], pos[0])
		}
	}
	return nil
}

// dataPath is the API path of a store's keys, or of one key. The key is
// escaped a segment at a time, so its '/' stay separators (the API takes
// the rest of the path as the key) and '?', '#' and '%' stay in the key.
func dataPath(store, key string) string {
	p := "/api/v1/data/" + url.PathEscape(store) + "/keys"
	if key == "" {
		return p
	}
	parts := strings.Split(key, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return p + "/" + strings.Join(parts, "/")
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments and returns the positional ones in order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
