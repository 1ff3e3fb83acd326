package intercom

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// TopicPing is the notification Intercom sends when a webhook is set up or
// tested from the Developer Hub; it carries no event.
const TopicPing = "ping"

// Extract reads one Intercom notification: {"type":"notification_event",
// "id":"notif_…","topic":"conversation.user.replied","data":{"item":{…}},
// "created_at",…}. The event's id is the notification id, which a retry
// keeps (only delivery_attempts changes), and its type is the topic. The
// body is the whole notification, so trigger.data.item is the
// conversation, contact or ticket. A ping yields no event: the pipeline
// answers it 2xx and starts nothing.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Intercom notification: %w", err)
	}
	topic := gjson.GetBytes(r.Body, "topic").String()
	if topic == "" {
		return nil, fmt.Errorf("reading Intercom notification: \"topic\" is missing")
	}
	if topic == TopicPing {
		return nil, nil
	}
	id := signature.IDString(gjson.GetBytes(r.Body, "id"))
	if id == "" {
		return nil, fmt.Errorf("reading Intercom notification: \"id\" is missing")
	}
	return []connectors.Event{{ID: id, Type: topic, Body: r.Body}}, nil
}
