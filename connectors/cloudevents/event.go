package cloudevents

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract turns a delivery into one Event per CloudEvent, in whichever
// content mode the sender used (HTTP protocol binding, section 3):
//
//   - binary: the attributes are ce-* headers and the body is the data,
//     of the media type Content-Type names;
//   - structured: Content-Type application/cloudevents+json, the body one
//     JSON event with its attributes and data;
//   - batched: Content-Type application/cloudevents-batch+json, the body a
//     JSON array of structured events, split into one Event each.
//
// Each event must carry the required attributes (specversion, id, source,
// type). Its dedupe key is source and id together, as the specification
// makes them unique only as a pair; it is written as the JSON array
// ["<source>","<id>"] so no separator can make two pairs collide. Its type
// is the ce type, and its body the JSON object
//
//	{"ce": {"specversion", "id", "source", "type", "subject", "time",
//	        "datacontenttype", "dataschema", <extensions>…},
//	 "data": <JSON data as JSON, text data as a string>,
//	 "data_base64": <other binary data, base64>}
//
// so a workflow reads trigger.ce.type, trigger.ce.source, trigger.ce.subject
// and trigger.data.<field>. Absent optional attributes are left out.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	msg := cehttp.NewMessage(r.Header, io.NopCloser(bytes.NewReader(r.Body)))
	ctx := context.Background()
	var events []event.Event
	switch msg.ReadEncoding() {
	case binding.EncodingBatch:
		if err := signature.CheckJSON(r.Body); err != nil {
			return nil, err
		}
		evs, err := binding.ToEvents(ctx, msg, bytes.NewReader(r.Body))
		if err != nil {
			return nil, fmt.Errorf("reading a CloudEvents batch: %w", err)
		}
		events = evs
	case binding.EncodingStructured:
		if err := signature.CheckJSON(r.Body); err != nil {
			return nil, err
		}
		fallthrough
	case binding.EncodingBinary:
		if isJSONType(mediaType(r.Header.Get("Content-Type"))) && len(r.Body) > 0 {
			if err := signature.CheckJSON(r.Body); err != nil {
				return nil, err
			}
		}
		ev, err := binding.ToEvent(ctx, msg)
		if err != nil {
			return nil, fmt.Errorf("reading a CloudEvent: %w", err)
		}
		events = []event.Event{*ev}
	default:
		return nil, errors.New("not a CloudEvent: a binary-mode event needs a ce-specversion header, " +
			"a structured one Content-Type application/cloudevents+json, a batch application/cloudevents-batch+json")
	}
	out := make([]connectors.Event, 0, len(events))
	for i := range events {
		e, err := toEvent(&events[i])
		if err != nil {
			if len(events) > 1 {
				return nil, fmt.Errorf("batch event %d: %w", i, err)
			}
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// toEvent checks one CloudEvent and builds the hookflow event.
func toEvent(e *event.Event) (connectors.Event, error) {
	if err := e.Validate(); err != nil {
		// The SDK lists one problem per line, ending with a newline.
		return connectors.Event{}, errors.New("invalid CloudEvent: " + oneLine(err))
	}
	key, err := json.Marshal([]string{e.Source(), e.ID()})
	if err != nil {
		return connectors.Event{}, err
	}
	body, err := json.Marshal(Body(e))
	if err != nil {
		return connectors.Event{}, fmt.Errorf("encoding the CloudEvent for the workflow: %w", err)
	}
	return connectors.Event{ID: string(key), Type: e.Type(), Body: body}, nil
}

// Body is the value a workflow sees as trigger for CloudEvent e (see
// Extract for its shape).
func Body(e *event.Event) map[string]any {
	ce := map[string]any{
		"specversion": e.SpecVersion(),
		"id":          e.ID(),
		"source":      e.Source(),
		"type":        e.Type(),
	}
	if v := e.Subject(); v != "" {
		ce["subject"] = v
	}
	if t := e.Time(); !t.IsZero() {
		ce["time"] = t.UTC().Format(time.RFC3339Nano)
	}
	if v := e.DataContentType(); v != "" {
		ce["datacontenttype"] = v
	}
	if v := e.DataSchema(); v != "" {
		ce["dataschema"] = v
	}
	exts := e.Extensions()
	names := make([]string, 0, len(exts))
	for k := range exts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if _, core := ce[k]; !core {
			ce[k] = extensionValue(exts[k])
		}
	}
	out := map[string]any{"ce": ce}
	data := e.Data()
	if data == nil {
		return out
	}
	mt := mediaType(e.DataContentType())
	switch {
	case !e.DataBase64 && isJSONType(mt) && json.Valid(data):
		out["data"] = json.RawMessage(data)
	case !e.DataBase64 && isTextType(mt) && utf8.Valid(data):
		out["data"] = string(data)
	default:
		out["data_base64"] = base64.StdEncoding.EncodeToString(data)
	}
	return out
}

// extensionValue keeps CloudEvents Integer and Boolean extensions as JSON
// numbers and booleans, and writes every other type (URI, Timestamp,
// Binary) in its canonical string form.
func extensionValue(v any) any {
	switch x := v.(type) {
	case int32, int64, int, float64, bool, string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

// isJSONType reports whether data of media type mt is JSON. An absent
// datacontenttype means JSON, as the JSON event format specifies.
func isJSONType(mt string) bool {
	return mt == "" || mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// isTextType reports whether data of media type mt is text a workflow can
// read as a string.
func isTextType(mt string) bool {
	return strings.HasPrefix(mt, "text/") || mt == "application/xml" || strings.HasSuffix(mt, "+xml")
}
