package runops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.temporal.io/api/serviceerror"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
)

// Named limits of approvals and hand-sent signals.
const (
	// MaxSignalPayloadBytes bounds the payload of a signal sent by hand;
	// it goes into the history of every run that receives it.
	MaxSignalPayloadBytes = 256 << 10
	// MaxSignalTypeLength bounds an event type, as the inbox does.
	MaxSignalTypeLength = 256
	// MaxSignalKeyLength bounds a correlation key.
	MaxSignalKeyLength = 1024
	// MaxApproverLength bounds Decision.By and Decision.Step.
	MaxApproverLength = 256
	// MaxCommentLength bounds Decision.Comment.
	MaxCommentLength = 4096
)

// InputError is an approval or signal that breaks a rule: Path names the
// field (as sent in JSON) and Message what is wrong with it.
type InputError struct {
	Path    string
	Message string
}

func (e *InputError) Error() string { return e.Path + ": " + e.Message }

// CheckDecision checks an approval decision before it is sent.
func CheckDecision(d interpreter.Decision) error {
	for _, f := range []struct {
		path, value string
		max         int
	}{{"by", d.By, MaxApproverLength}, {"step", d.Step, MaxApproverLength}, {"comment", d.Comment, MaxCommentLength}} {
		if err := checkText(f.path, f.value, f.max); err != nil {
			return err
		}
	}
	return nil
}

// CheckSignal checks a signal sent by hand: a type is required, the
// payload must be JSON within MaxSignalPayloadBytes.
func CheckSignal(sig interpreter.EventSignal) error {
	if strings.TrimSpace(sig.Type) == "" {
		return &InputError{"type", "required: the event type the waits name in their event field"}
	}
	if err := checkText("type", sig.Type, MaxSignalTypeLength); err != nil {
		return err
	}
	if err := checkText("key", sig.Key, MaxSignalKeyLength); err != nil {
		return err
	}
	if err := checkText("event_id", sig.EventID, MaxSignalTypeLength); err != nil {
		return err
	}
	if len(sig.Payload) > MaxSignalPayloadBytes {
		return &InputError{"payload", fmt.Sprintf("is %d bytes, over the limit of %d", len(sig.Payload), MaxSignalPayloadBytes)}
	}
	if len(sig.Payload) > 0 && !json.Valid(sig.Payload) {
		return &InputError{"payload", "is not valid JSON"}
	}
	return nil
}

func checkText(path, v string, max int) error {
	switch {
	case len(v) > max:
		return &InputError{path, fmt.Sprintf("is %d bytes long, over the limit of %d", len(v), max)}
	case !utf8.ValidString(v):
		return &InputError{path, "is not valid UTF-8"}
	}
	return nil
}

// Approve answers the approval a running run waits for (a wait_for_event
// step with approval; d.Step narrows it to one step, empty answers the
// first). A decision sent while no approval step waits is kept for the
// next one. A run that Temporal no longer runs gives an error wrapping
// store.ErrConflict; check d with CheckDecision first.
func (c *Controller) Approve(ctx context.Context, runID string, d interpreter.Decision) error {
	if err := interpreter.Approve(ctx, c.Temporal, runID, d); err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return fmt.Errorf("run %s is not running: %w", runID, store.ErrConflict)
		}
		return err
	}
	return nil
}

// Signal offers an event to the runs waiting for sig.Type under sig.Key,
// exactly as an accepted webhook event with that type and correlation key
// is offered. A run takes one EventID once, so a client that retries a
// signal should send the same EventID; an empty one gets a fresh id, which
// is returned. Check sig with CheckSignal first.
func (c *Controller) Signal(ctx context.Context, sig interpreter.EventSignal) (string, error) {
	if sig.EventID == "" {
		sig.EventID = store.NewID("sig")
	}
	if len(sig.Payload) == 0 {
		sig.Payload = json.RawMessage("null")
	}
	sigs := []interpreter.EventSignal{sig}
	if sig.Key != "" {
		// Waits without a correlation_key receive every event of their type.
		keyless := sig
		keyless.Key = ""
		sigs = append(sigs, keyless)
	}
	for _, s := range sigs {
		if err := interpreter.SignalWaiting(ctx, c.Temporal, c.TaskQueue, s); err != nil {
			return "", err
		}
	}
	return sig.EventID, nil
}
