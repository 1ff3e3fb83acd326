package pipedrive

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads one Pipedrive webhook, v2 or v1.
//
// v2 ({"meta":{"version":"2.0","action":"change","entity":"deal",
// "entity_id","id","webhook_id","timestamp",…},"data":{…},"previous":{…}})
// gives type "<action>.<entity>" ("create.deal", "change.person",
// "delete.activity"); v1 ({"meta":{"v":1,"action":"updated","object":
// "deal","id",…},"current":{…},"previous":{…}}) gives "updated.deal" and
// so on, the event names Pipedrive's webhook settings use.
//
// Pipedrive sends no delivery id. One change is identified by the webhook,
// the entity and action, meta.id and the change's timestamp
// (timestamp_micro in v1, which tells apart two changes in one second);
// a retry (meta.attempt > 1) repeats them all, so it dedupes. The body is
// the whole webhook.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Pipedrive webhook: %w", err)
	}
	meta := gjson.GetBytes(r.Body, "meta")
	if !meta.IsObject() {
		return nil, fmt.Errorf("reading Pipedrive webhook: \"meta\" is missing")
	}
	action := meta.Get("action").String()
	entity := meta.Get("entity").String()
	stamp := meta.Get("timestamp").String()
	if entity == "" { // webhooks v1
		entity = meta.Get("object").String()
		if micro := meta.Get("timestamp_micro").String(); micro != "" {
			stamp = micro
		}
	}
	if action == "" || entity == "" {
		return nil, fmt.Errorf("reading Pipedrive webhook: meta.action and meta.entity (or meta.object) are required")
	}
	id := signature.IDString(meta.Get("id"))
	if id == "" {
		id = signature.IDString(meta.Get("entity_id"))
	}
	if id == "" || stamp == "" {
		return nil, fmt.Errorf("reading Pipedrive webhook: meta.id and meta.timestamp are required to tell changes apart")
	}
	typ := action + "." + entity
	key := strings.Join([]string{signature.IDString(meta.Get("webhook_id")), typ, id, stamp}, ":")
	return []connectors.Event{{ID: key, Type: typ, Body: r.Body}}, nil
}
