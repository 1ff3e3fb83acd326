package stripe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/hookflow/hookflow/connectors"
)

// metadataObjects maps update_metadata's object_type to the API collection
// and the id prefixes that belong to it.
var metadataObjects = map[string]struct {
	collection string
	prefixes   []string
}{
	"customer":       {"customers", []string{"cus_"}},
	"payment_intent": {"payment_intents", []string{"pi_"}},
	"charge":         {"charges", []string{"ch_", "py_"}},
}

func updateMetadataAction() *connectors.Action {
	return &connectors.Action{
		Name:  "update_metadata",
		Title: "Add metadata",
		Description: "Merge key/value pairs into the metadata of a customer, payment intent or charge " +
			"(POST /v1/{customers|payment_intents|charges}/{id}). Keys not named are kept; a null value removes a key.",
		Input: []connectors.Field{
			{Name: "object_type", Title: "Object type", Type: connectors.TypeString, Required: true,
				Enum: []string{"customer", "payment_intent", "charge"}, Example: "payment_intent"},
			{Name: "object_id", Title: "Object id", Type: connectors.TypeString, Required: true,
				Example: "pi_3MtwBwLkdIwHu7ix28a3tqPa", Help: "cus_… for customers, pi_… for payment intents, ch_… or py_… for charges."},
			{Name: "metadata", Title: "Metadata", Type: connectors.TypeObject, Required: true,
				Example: map[string]any{"fulfilled": "true", "order_id": "1042"},
				Help:    "Keys up to 40 characters, values up to 500; null removes the key."},
		},
		OutputSample: json.RawMessage(`{"id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","object":"payment_intent","amount":2000,` +
			`"currency":"usd","status":"succeeded","metadata":{"fulfilled":"true","order_id":"1042"}}`),
		Run: runUpdateMetadata,
	}
}

func runUpdateMetadata(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	typ := in.String("object_type")
	obj, ok := metadataObjects[typ]
	if !ok {
		return nil, connectors.Permanent(fmt.Errorf("input.object_type: unknown object type %q", typ))
	}
	id := in.String("object_id")
	if err := checkID("input.object_id", id, obj.prefixes...); err != nil {
		return nil, err
	}
	path, err := objectPath("input.object_id", obj.collection, id)
	if err != nil {
		return nil, err
	}
	md, _ := in["metadata"].(map[string]any)
	if len(md) == 0 {
		return nil, connectors.Permanent(fmt.Errorf("input.metadata: needs at least one key"))
	}
	form := url.Values{}
	if err := metadataForm(form, "input.metadata", md); err != nil {
		return nil, err
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := a.post(ctx, path, form, &out); err != nil {
		return nil, fmt.Errorf("updating %s metadata: %w", typ, err)
	}
	return out, nil
}
