package store

import (
	"context"
	"fmt"
)

// MarkWaitedFor records that a wait_for_event step waits for eventType. A
// wait records its type before it registers with its router, so an event
// accepted after the wait began always finds the type (see WaitedFor).
// Recording a type again is a no-op.
func (s *Store) MarkWaitedFor(ctx context.Context, eventType string) error {
	_, err := s.execPrepared(ctx, nil, `INSERT INTO wait_types (event_type, registered_at) VALUES (?, ?)
		ON CONFLICT (event_type) DO NOTHING`, eventType, ms(now()))
	if err != nil {
		return fmt.Errorf("recording a wait for %q events: %w", eventType, err)
	}
	return nil
}

// AnyWaitType is the wait_types row that stands for every event type (see
// migration 0002).
const AnyWaitType = "*"

// WaitedFor reports whether any wait_for_event step has ever waited for
// eventType, or every type is listed (AnyWaitType). False means no run can
// be waiting for an event of that type.
func (s *Store) WaitedFor(ctx context.Context, eventType string) (bool, error) {
	var n int
	err := s.getPrepared(ctx, nil, &n, `SELECT COUNT(*) FROM wait_types WHERE event_type IN (?, ?)`, eventType, AnyWaitType)
	if err != nil {
		return false, fmt.Errorf("looking up waits for %q events: %w", eventType, err)
	}
	return n > 0, nil
}
