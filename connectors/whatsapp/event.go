package whatsapp

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract splits a WhatsApp Cloud API notification into one event per
// item, since one delivery can carry several:
//
//   - each entry[].changes[].value.messages[] item is an event with
//     id = the message id (wamid…) and type "message.<type>"
//     (message.text, message.image, message.interactive…);
//   - each value.statuses[] item is an event with id = "<wamid>:<status>"
//     and type "status.<status>" (status.sent, status.delivered,
//     status.read, status.failed). A message goes through several statuses
//     under the same wamid, so the status is part of the dedupe key;
//   - a change with neither (template status updates, account updates) is
//     one event of type <field>, with a content hash of the entry id, the
//     field and the value as its id.
//
// Each event body is an object with "object", "entry_id", "field",
// "metadata" (the receiving phone number) and "contacts" copied from the
// change, plus the item under "message" or "status", or the whole change
// value under "value". For a message, "contact" is the sender's profile.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading WhatsApp notification: %w", err)
	}
	root := gjson.ParseBytes(r.Body)
	entries := root.Get("entry")
	if !entries.IsArray() {
		return nil, fmt.Errorf("reading WhatsApp notification: \"entry\" is missing or not an array")
	}
	object := raw(root.Get("object"))
	var events []connectors.Event
	for i, entry := range entries.Array() {
		entryID := raw(entry.Get("id"))
		for j, change := range entry.Get("changes").Array() {
			path := fmt.Sprintf("entry[%d].changes[%d]", i, j)
			value := change.Get("value")
			field := change.Get("field").String()
			base := map[string]json.RawMessage{
				"object":   object,
				"entry_id": entryID,
				"field":    raw(change.Get("field")),
				"metadata": raw(value.Get("metadata")),
				"contacts": raw(value.Get("contacts")),
			}
			messages, statuses := value.Get("messages").Array(), value.Get("statuses").Array()
			for k, m := range messages {
				id := m.Get("id").String()
				if id == "" {
					return nil, fmt.Errorf("reading WhatsApp notification: %s.value.messages[%d].id is missing", path, k)
				}
				body := with(base, "message", m)
				from := m.Get("from").String()
				for _, c := range value.Get("contacts").Array() {
					if c.Get("wa_id").String() == from {
						body["contact"] = json.RawMessage(c.Raw)
					}
				}
				events = append(events, event(id, "message."+orDefault(m.Get("type").String(), "unknown"), body))
			}
			for k, s := range statuses {
				id, status := s.Get("id").String(), s.Get("status").String()
				if id == "" || status == "" {
					return nil, fmt.Errorf("reading WhatsApp notification: %s.value.statuses[%d] needs both id and status", path, k)
				}
				events = append(events, event(id+":"+status, "status."+status, with(base, "status", s)))
			}
			if len(messages) == 0 && len(statuses) == 0 {
				if field == "" {
					return nil, fmt.Errorf("reading WhatsApp notification: %s.field is missing", path)
				}
				id := signature.ContentHash([]byte(string(entryID) + "\x00" + field + "\x00" + value.Raw))
				events = append(events, event(id, field, with(base, "value", value)))
			}
		}
	}
	return events, nil
}

func raw(r gjson.Result) json.RawMessage {
	if !r.Exists() {
		return json.RawMessage("null")
	}
	return json.RawMessage(r.Raw)
}

func with(base map[string]json.RawMessage, key string, v gjson.Result) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(base)+2)
	for k, b := range base {
		out[k] = b
	}
	out[key] = raw(v)
	return out
}

func event(id, typ string, body map[string]json.RawMessage) connectors.Event {
	// Marshal cannot fail: every value is a RawMessage cut from valid JSON.
	b, _ := json.Marshal(body)
	return connectors.Event{ID: id, Type: typ, Body: b}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
