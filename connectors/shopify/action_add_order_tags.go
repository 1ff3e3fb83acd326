package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// MaxTagLength is Shopify's limit on one tag.
const MaxTagLength = 40

func addOrderTagsAction() *connectors.Action {
	return &connectors.Action{
		Name:  "add_order_tags",
		Title: "Add tags to an order",
		Description: "Add tags to an order, keeping the tags it already has: reads the order's tags, merges " +
			"(case-insensitively, as Shopify compares tags) and writes them back with PUT only when something " +
			"is new, so a retried step changes nothing twice.",
		Input: []connectors.Field{
			idField("order_id", "Order id", "450789469", "The order's numeric id; in an orders/* webhook it is {{ trigger.id }}."),
			{Name: "tags", Title: "Tags", Type: connectors.TypeArray, Required: true, Example: []any{"whatsapp-confirmed", "vip"},
				Help: "Tags to add, up to 40 characters each, without commas."},
		},
		OutputSample: json.RawMessage(`{"id":450789469,"tags":"imported, vip, whatsapp-confirmed","added":["whatsapp-confirmed","vip"],"changed":true}`),
		Run:          runAddOrderTags,
	}
}

// TagsOutput is the add_order_tags output.
type TagsOutput struct {
	ID      json.Number `json:"id"`
	Tags    string      `json:"tags"`
	Added   []string    `json:"added"`
	Changed bool        `json:"changed"`
}

func runAddOrderTags(ctx context.Context, call *connectors.Call) (any, error) {
	id, err := resourceID(call.Input, "order_id")
	if err != nil {
		return nil, err
	}
	raw, _ := call.Input["tags"].([]any)
	var want []string
	for i, t := range raw {
		s, ok := t.(string)
		s = strings.TrimSpace(s)
		switch {
		case !ok:
			return nil, connectors.Permanent(fmt.Errorf("input.tags[%d]: want a string", i))
		case s == "":
			return nil, connectors.Permanent(fmt.Errorf("input.tags[%d]: empty tag", i))
		case strings.Contains(s, ","):
			return nil, connectors.Permanent(fmt.Errorf("input.tags[%d]: a tag cannot contain a comma", i))
		case len([]rune(s)) > MaxTagLength:
			return nil, connectors.Permanent(fmt.Errorf("input.tags[%d]: longer than %d characters", i, MaxTagLength))
		}
		want = append(want, s)
	}
	if len(want) == 0 {
		return nil, connectors.Permanent(fmt.Errorf("input.tags: needs at least one tag"))
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var cur struct {
		Order struct {
			Tags string `json:"tags"`
		} `json:"order"`
	}
	if err := a.do(ctx, http.MethodGet, "/orders/"+id+".json", map[string]string{"fields": "id,tags"}, nil, &cur); err != nil {
		return nil, fmt.Errorf("reading tags of order %s: %w", id, err)
	}
	tags := splitTags(cur.Order.Tags)
	seen := map[string]bool{}
	for _, t := range tags {
		seen[strings.ToLower(t)] = true
	}
	out := TagsOutput{ID: json.Number(id), Added: []string{}}
	for _, t := range want {
		if !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			tags = append(tags, t)
			out.Added = append(out.Added, t)
		}
	}
	out.Tags = strings.Join(tags, ", ")
	if len(out.Added) == 0 {
		return out, nil
	}
	body := map[string]any{"order": map[string]any{"id": json.Number(id), "tags": out.Tags}}
	var upd struct {
		Order struct {
			Tags string `json:"tags"`
		} `json:"order"`
	}
	if err := a.do(ctx, http.MethodPut, "/orders/"+id+".json", nil, body, &upd); err != nil {
		return nil, fmt.Errorf("updating tags of order %s: %w", id, err)
	}
	out.Changed = true
	if upd.Order.Tags != "" {
		out.Tags = upd.Order.Tags
	}
	return out, nil
}

// splitTags splits Shopify's comma-separated tag string.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
