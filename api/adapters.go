package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/triggers"
)

// DryRuns runs the API's test runs as dry runs (engine/services/dryrun).
func DryRuns(r *dryrun.Runner) Tester {
	return func(ctx context.Context, t TestRun) (any, error) {
		return r.Test(ctx, dryrun.Request{
			WorkflowID: t.WorkflowID, Version: t.Version, Definition: t.Definition, Live: t.Live, Outputs: t.Outputs,
			Event: interpreter.EventInfo{ID: t.EventID, ProviderID: t.EventID, Type: t.EventType, Headers: t.Headers, Body: t.Event},
		}, t.Mocks, t.Expect)
	}
}

// TriggersService adapts the triggers service to Triggers, translating
// its errors into the API's classes.
func TriggersService(s *triggers.Service) Triggers { return triggersAPI{s} }

type triggersAPI struct{ s *triggers.Service }

func (t triggersAPI) Replay(ctx context.Context, eventID string, version int) (store.Event, error) {
	ev, err := t.s.Replayer.Replay(ctx, eventID, version)
	return ev, classifyTriggers(err)
}

func (t triggersAPI) RunManual(ctx context.Context, workflowID string, input json.RawMessage) (store.Event, error) {
	ev, err := t.s.Replayer.RunManual(ctx, workflowID, input)
	return ev, classifyTriggers(err)
}

func (t triggersAPI) Listen(ctx context.Context, endpointID string, timeout time.Duration) (store.Event, bool, error) {
	ev, err := t.s.Listener.Listen(ctx, endpointID, timeout)
	if errors.Is(err, triggers.ErrListenTimeout) {
		return store.Event{}, false, nil
	}
	if err != nil {
		return store.Event{}, false, classifyTriggers(err)
	}
	return ev, true, nil
}

// classifyTriggers maps the triggers service's sentinels onto the API's.
func classifyTriggers(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, triggers.ErrInvalidInput):
		return fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
	case errors.Is(err, triggers.ErrNotReplayable), errors.Is(err, triggers.ErrTooManyListeners):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case errors.Is(err, triggers.ErrUnavailable), errors.Is(err, triggers.ErrClosed):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}
