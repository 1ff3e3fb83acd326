package messenger

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// kinds are the keys of a messaging item that say what it is, in the
// order they are looked for.
var kinds = []string{"message", "postback", "delivery", "read", "reaction", "optin", "referral", "account_linking"}

// Extract splits a Page notification ({"object":"page","entry":[{"id":
// page id,"time","messaging":[…]}]}) into one event per messaging item.
// The type is the item's kind (message, postback, delivery, read,
// reaction…; an echo of the Page's own message is "message.echo"). The id
// is the message id (mid) for messages and echoes, and otherwise the
// sender, the timestamp and the kind, which identify one event: Meta
// resends a notification unchanged when it is not acknowledged. A
// reaction's id adds its action, since one message can be reacted to and
// unreacted. The body is the messaging item with "page_id" added, so
// trigger.sender.id is the person and trigger.message.text the text.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Messenger notification: %w", err)
	}
	root := gjson.ParseBytes(r.Body)
	if obj := root.Get("object").String(); obj != "page" {
		return nil, fmt.Errorf("reading Messenger notification: object is %q, want \"page\" (Instagram and other objects have their own triggers)", obj)
	}
	entries := root.Get("entry")
	if !entries.IsArray() {
		return nil, fmt.Errorf("reading Messenger notification: \"entry\" is missing or not an array")
	}
	var events []connectors.Event
	for i, entry := range entries.Array() {
		for j, item := range entry.Get("messaging").Array() {
			path := fmt.Sprintf("entry[%d].messaging[%d]", i, j)
			kind := ""
			for _, k := range kinds {
				if item.Get(k).Exists() {
					kind = k
					break
				}
			}
			if kind == "" {
				return nil, fmt.Errorf("reading Messenger notification: %s is none of %v", path, kinds)
			}
			sender := signature.IDString(item.Get("sender.id"))
			ts := signature.IDString(item.Get("timestamp"))
			typ, id := kind, ""
			switch kind {
			case "message":
				id = item.Get("message.mid").String()
				if item.Get("message.is_echo").Bool() {
					typ = "message.echo"
				}
			case "reaction":
				if mid := item.Get("reaction.mid").String(); mid != "" {
					id = mid + ":reaction:" + item.Get("reaction.action").String() + ":" + sender
				}
			}
			if id == "" {
				if sender == "" || ts == "" {
					return nil, fmt.Errorf("reading Messenger notification: %s needs sender.id and timestamp", path)
				}
				id = sender + ":" + ts + ":" + kind
			}
			body := map[string]json.RawMessage{"page_id": json.RawMessage(raw(entry.Get("id")))}
			item.ForEach(func(k, v gjson.Result) bool {
				body[k.String()] = json.RawMessage(v.Raw)
				return true
			})
			b, err := json.Marshal(body)
			if err != nil {
				return nil, fmt.Errorf("reading Messenger notification: encoding %s: %w", path, err)
			}
			events = append(events, connectors.Event{ID: id, Type: typ, Body: b})
		}
	}
	return events, nil
}

func raw(r gjson.Result) string {
	if !r.Exists() {
		return "null"
	}
	return r.Raw
}
