package telegram

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a Telegram Update: its id is "update_id" (as a decimal
// string) and its type is the one optional field the update carries besides
// update_id (message, edited_message, callback_query, my_chat_member…).
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Telegram update: %w", err)
	}
	root := gjson.ParseBytes(r.Body)
	if !root.IsObject() {
		return nil, fmt.Errorf("reading Telegram update: want a JSON object, got %s", signature.Kind(root))
	}
	id := ""
	if u := root.Get("update_id"); u.Type == gjson.Number {
		id = u.Raw
	}
	if id == "" {
		return nil, fmt.Errorf("reading Telegram update: \"update_id\" is missing or not a number")
	}
	typ := ""
	root.ForEach(func(key, _ gjson.Result) bool {
		if key.Str != "update_id" {
			typ = key.Str
			return false
		}
		return true
	})
	if typ == "" {
		return nil, fmt.Errorf("reading Telegram update %s: it carries no update field (message, callback_query…)", id)
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(r.Body)}}, nil
}
