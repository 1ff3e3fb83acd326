package gitlab

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a GitLab webhook: one event per delivery, typed by the
// body's object_kind (push, tag_push, issue, note, merge_request,
// pipeline, build, deployment, release…; system hooks' event_name where
// there is no object_kind).
//
// The dedupe key is, in order:
//
//   - Idempotency-Key (GitLab 17.4 and later), which GitLab documents as
//     staying the same when it retries or resends a delivery;
//   - X-Gitlab-Event-UUID, for older instances. It is shared by the
//     recursive hooks one event causes (a workflow's own API call firing
//     the hook again would be taken for a retry), which is why it is only
//     the fallback;
//   - X-Gitlab-Webhook-UUID, which names one delivery;
//   - the body's hash, so at least an identical resend dedupes.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading GitLab webhook: %w", err)
	}
	typ := gjson.GetBytes(r.Body, "object_kind").String()
	if typ == "" {
		typ = gjson.GetBytes(r.Body, "event_name").String()
	}
	if typ == "" {
		return nil, fmt.Errorf("reading GitLab webhook (%s): the body has neither object_kind nor event_name", r.Header.Get(HeaderEvent))
	}
	id := ""
	for _, h := range []string{HeaderIdempotencyKey, HeaderEventUUID, HeaderWebhookUUID} {
		if id = r.Header.Get(h); id != "" {
			break
		}
	}
	if id == "" {
		id = "sha256:" + signature.ContentHash(r.Body)
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(r.Body)}}, nil
}
