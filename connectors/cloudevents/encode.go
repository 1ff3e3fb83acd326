package cloudevents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// The content modes Encode writes.
const (
	ModeBinary     = "binary"
	ModeStructured = "structured"
)

// Outgoing is one event to send as a CloudEvent.
type Outgoing struct {
	ID      string
	Source  string
	Type    string
	Subject string
	Time    time.Time
	// Data is encoded as JSON (datacontenttype application/json).
	Data any
}

// Encode writes ev in the given content mode with the CNCF SDK and returns
// the headers and body an HTTP POST carries: in binary mode the ce-*
// headers, Content-Type application/json and the data as the body; in
// structured mode Content-Type application/cloudevents+json and the whole
// event as the body. The event is validated first (id, source and type are
// required), and the error names the attribute.
func Encode(mode string, ev Outgoing) (http.Header, []byte, error) {
	e := event.New()
	e.SetID(ev.ID)
	e.SetSource(ev.Source)
	e.SetType(ev.Type)
	if ev.Subject != "" {
		e.SetSubject(ev.Subject)
	}
	if !ev.Time.IsZero() {
		e.SetTime(ev.Time.UTC())
	}
	if ev.Data != nil {
		if err := e.SetData(event.ApplicationJSON, ev.Data); err != nil {
			return nil, nil, fmt.Errorf("encoding CloudEvent data: %w", err)
		}
	}
	if err := e.Validate(); err != nil {
		return nil, nil, fmt.Errorf("invalid CloudEvent: %s", oneLine(err))
	}
	ctx := context.Background()
	switch mode {
	case ModeBinary:
		ctx = binding.WithForceBinary(ctx)
	case ModeStructured:
		ctx = binding.WithForceStructured(ctx)
	default:
		return nil, nil, fmt.Errorf("CloudEvents mode %q is not binary or structured", mode)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://cloudevents.invalid/", nil)
	if err != nil {
		return nil, nil, err
	}
	if err := cehttp.WriteRequest(ctx, binding.ToMessage(&e), req); err != nil {
		return nil, nil, fmt.Errorf("encoding CloudEvent: %w", err)
	}
	var body []byte
	if req.Body != nil {
		body, err = io.ReadAll(req.Body)
		if err != nil {
			return nil, nil, fmt.Errorf("encoding CloudEvent: %w", err)
		}
	}
	if len(body) == 0 && ev.Data != nil {
		return nil, nil, errors.New("encoding CloudEvent: the SDK wrote no body")
	}
	return req.Header, body, nil
}

func oneLine(err error) string {
	s := err.Error()
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			if i == len(s)-1 {
				break
			}
			out = append(out, ';', ' ')
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}
