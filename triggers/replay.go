package triggers

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookflow/hookflow/connectors/signature"
	"github.com/hookflow/hookflow/engine/store"
)

// Replayer starts runs that no delivery asked for: manual runs from the
// API and replays of logged events. Each goes through the inbox like a
// webhook event (committed first, so it survives a Temporal outage) and is
// then started by the Dispatcher.
type Replayer struct {
	cfg   Config
	store *store.Store
	inbox Committer
	runs  Dispatch
}

// Connector and event type of runs started by hand.
const (
	ManualConnector = "manual"
	ManualEventType = "manual"
)

// RunManual starts a run of a workflow's current version with body as its
// trigger payload (POST /api/v1/workflows/{id}/run). The run goes through
// the inbox like a webhook event: it is committed first, so it survives a
// Temporal outage, then started. Inactive workflows can be run by hand.
// The returned event carries the run id once started. A body that is not
// JSON gives ErrInvalidInput; an unknown workflow store.ErrNotFound.
func (rp *Replayer) RunManual(ctx context.Context, workflowID string, body []byte) (store.Event, error) {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := signature.CheckJSON(body); err != nil {
		return store.Event{}, fmt.Errorf("running workflow %s: %w: %w", workflowID, ErrInvalidInput, err)
	}
	if err := checkBodyLimits(body, rp.cfg.MaxBodyDepth); err != nil {
		return store.Event{}, fmt.Errorf("running workflow %s: %w: %w", workflowID, ErrInvalidInput, err)
	}
	wf, err := rp.store.GetWorkflow(ctx, workflowID)
	if err != nil {
		return store.Event{}, fmt.Errorf("running workflow %s: %w", workflowID, err)
	}
	ev := &store.Event{WorkflowID: wf.ID, WorkflowVersion: wf.CurrentVersion, Connector: ManualConnector,
		EventType: ManualEventType, Body: body, Verification: store.VerificationSkipped, Status: store.EventPending, ReceivedAt: rp.cfg.Now()}
	return rp.commitAndStart(ctx, ev, "running workflow "+workflowID)
}

// Replay starts a new run of a logged event, against the workflow's
// current version (version 0) or the given one. The replay is a new inbox
// row with replay_of set to the original, and its own run id, so it runs
// even though the original already did; the run sees event.replay = true.
// Deliveries that failed verification cannot be replayed (ErrNotReplayable).
func (rp *Replayer) Replay(ctx context.Context, eventID string, version int) (store.Event, error) {
	ev, err := rp.replayRow(ctx, eventID, version)
	if err != nil {
		return store.Event{}, err
	}
	return rp.commitAndStart(ctx, ev, "replaying event "+eventID)
}

// ReplayBulk replays every event that f selects (at most
// Config.MaxBulkReplay), skipping rejected deliveries, duplicate
// deliveries (their original is replayed instead, when selected) and
// earlier replays unless f.ReplayOf asks for them. The runs start in the
// background; the returned events are the new inbox rows.
func (rp *Replayer) ReplayBulk(ctx context.Context, f store.EventFilter, version int) ([]store.Event, error) {
	var rows []*store.Event
	f.IncludeBody = false
	for {
		page, next, err := rp.store.ListEvents(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("replaying events: %w", err)
		}
		for _, e := range page {
			if e.Status == store.EventRejected || e.Status == store.EventDuplicate || (e.ReplayOf != "" && f.ReplayOf == "") {
				continue
			}
			if len(rows) >= rp.cfg.MaxBulkReplay {
				return nil, fmt.Errorf("replaying events: %w: more than %d events match; narrow the filter", ErrInvalidInput, rp.cfg.MaxBulkReplay)
			}
			row, err := rp.replayRow(ctx, e.ID, version)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row)
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if _, err := rp.inbox.Commit(ctx, rows); err != nil {
		return nil, fmt.Errorf("replaying events: %w", err)
	}
	out := make([]store.Event, len(rows))
	for i, r := range rows {
		out[i] = *r
		rp.runs.Enqueue(*r)
	}
	return out, nil
}

// replayRow builds the inbox row of a replay of eventID.
func (rp *Replayer) replayRow(ctx context.Context, eventID string, version int) (*store.Event, error) {
	orig, err := rp.store.GetEvent(ctx, eventID)
	if err != nil {
		return nil, fmt.Errorf("replaying event %s: %w", eventID, err)
	}
	if orig.Status == store.EventRejected || orig.Verification == store.VerificationFailed {
		return nil, fmt.Errorf("replaying event %s: %w: it was rejected (%s)", eventID, ErrNotReplayable, orig.Reason)
	}
	if orig.WorkflowID == "" {
		return nil, fmt.Errorf("replaying event %s: %w: it belongs to no workflow", eventID, ErrNotReplayable)
	}
	if version < 0 {
		return nil, fmt.Errorf("replaying event %s: %w: version must be 0 (current) or positive", eventID, ErrInvalidInput)
	}
	if version == 0 {
		wf, err := rp.store.GetWorkflow(ctx, orig.WorkflowID)
		if err != nil {
			return nil, fmt.Errorf("replaying event %s: %w", eventID, err)
		}
		version = wf.CurrentVersion
	} else if _, err := rp.store.GetVersion(ctx, orig.WorkflowID, version); err != nil {
		return nil, fmt.Errorf("replaying event %s: %w", eventID, err)
	}
	original := orig.ID
	if orig.Status == store.EventDuplicate && orig.DuplicateOf != "" {
		original = orig.DuplicateOf
	}
	return &store.Event{
		EndpointID: orig.EndpointID, WorkflowID: orig.WorkflowID, WorkflowVersion: version, Connector: orig.Connector,
		ProviderEventID: orig.ProviderEventID, EventType: orig.EventType, Headers: orig.Headers, Body: orig.Body,
		Verification: orig.Verification, Status: store.EventPending, ReplayOf: original, ReceivedAt: rp.cfg.Now(),
	}, nil
}

// commitAndStart commits one pending event and starts its run at once,
// returning the event as stored afterwards. When the start fails the event
// stays pending for the sweeper and is returned without a run id.
func (rp *Replayer) commitAndStart(ctx context.Context, ev *store.Event, what string) (store.Event, error) {
	next := rp.cfg.Now().Add(rp.cfg.SweepGrace)
	ev.NextDispatchAt = &next
	if _, err := rp.inbox.Commit(ctx, []*store.Event{ev}); err != nil {
		return store.Event{}, fmt.Errorf("%s: %w", what, err)
	}
	rp.runs.Dispatch(ctx, *ev)
	got, err := rp.store.GetEvent(ctx, ev.ID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return *ev, nil
		}
		return *ev, fmt.Errorf("%s: %w", what, err)
	}
	return got, nil
}
