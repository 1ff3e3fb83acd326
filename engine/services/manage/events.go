package manage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/engine/store"
)

// Named limits of bulk replay.
const (
	// DefaultBulkReplayMax is how many events one bulk replay replays when
	// the caller sets no maximum.
	DefaultBulkReplayMax = 100
	// MaxBulkReplay caps one bulk replay; larger backfills page through
	// several calls.
	MaxBulkReplay = 1000
)

// Redacted replaces the value of a header that may carry a secret.
const Redacted = "[redacted]"

// alwaysRedacted are headers that carry credentials for any provider.
var alwaysRedacted = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"}

// RedactHeaders returns a copy of an event's headers with credential and
// signature headers replaced by Redacted: the generic ones and every
// SignatureHeaders entry of the event's connector's triggers. The triggers
// pipeline redacts before storing; the API does it again so a row written
// by an older version never leaks.
func (s *Service) RedactHeaders(connector string, h map[string]string) map[string]string {
	if h == nil {
		return nil
	}
	secret := map[string]bool{}
	for _, n := range alwaysRedacted {
		secret[http.CanonicalHeaderKey(n)] = true
	}
	if spec, ok := s.Registry.Connector(connector); ok {
		for _, t := range spec.Triggers {
			for _, n := range t.SignatureHeaders {
				secret[http.CanonicalHeaderKey(n)] = true
			}
		}
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		if secret[http.CanonicalHeaderKey(k)] && v != Redacted {
			v = Redacted
		}
		out[k] = v
	}
	return out
}

// Replayer starts a new run of a logged event on a version (0 = the
// workflow's current version) and returns the new event.
type Replayer func(ctx context.Context, eventID string, version int) (store.Event, error)

// ReplayItem is the outcome of replaying one event in a bulk replay.
type ReplayItem struct {
	EventID  string `json:"event_id"`
	Replayed string `json:"replayed_event_id,omitempty"`
	Error    string `json:"error,omitempty"`
}

// BulkReplayResult reports a bulk replay. NextCursor is set when more
// events matched than max: pass it back to continue.
type BulkReplayResult struct {
	Matched    int          `json:"matched"`
	Replayed   int          `json:"replayed"`
	Failed     int          `json:"failed"`
	Items      []ReplayItem `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// BulkReplay replays up to max events matching f (newest first), one by
// one, and reports each. It refuses an empty filter, so a typo cannot
// replay the whole log. Duplicates, rejected and ignored deliveries are
// skipped: they never ran and replaying them would bypass verification.
func (s *Service) BulkReplay(ctx context.Context, f store.EventFilter, max, version int, replay Replayer) (BulkReplayResult, error) {
	if f.WorkflowID == "" && f.EndpointID == "" && f.Status == "" && f.EventType == "" && f.ProviderEventID == "" &&
		f.Since.IsZero() && f.Until.IsZero() {
		return BulkReplayResult{}, invalid("the bulk replay filter is invalid", "filter",
			"set at least one of workflow_id, endpoint_id, status, type, provider_event_id, since, until")
	}
	if max <= 0 {
		max = DefaultBulkReplayMax
	}
	if max > MaxBulkReplay {
		return BulkReplayResult{}, invalid("the bulk replay filter is invalid", "max", fmt.Sprintf("must be at most %d", MaxBulkReplay))
	}
	if f.Status != "" && !store.ValidEventStatus(f.Status) {
		return BulkReplayResult{}, invalid("the bulk replay filter is invalid", "status", fmt.Sprintf("unknown event status %q", f.Status))
	}
	f.Limit, f.IncludeBody = max, false
	events, next, err := s.Store.ListEvents(ctx, f)
	if err != nil {
		return BulkReplayResult{}, err
	}
	res := BulkReplayResult{Items: []ReplayItem{}, NextCursor: next}
	for _, ev := range events {
		switch ev.Status {
		case store.EventDuplicate, store.EventRejected, store.EventIgnored:
			continue
		}
		res.Matched++
		item := ReplayItem{EventID: ev.ID}
		nev, err := replay(ctx, ev.ID, version)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			item.Error = oneLine(err)
			res.Failed++
		} else {
			item.Replayed = nev.ID
			res.Replayed++
		}
		res.Items = append(res.Items, item)
	}
	return res, nil
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// ErrLastAdminKey refuses revoking the only live admin key, which would
// lock everyone out of key management.
var ErrLastAdminKey = errors.New("this is the last admin API key; create another admin key before revoking it")

// RevokeAPIKey revokes a key unless it is the last live admin key.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) error {
	keys, err := s.findKey(ctx, id)
	if err != nil {
		return err
	}
	if keys.Scope == store.ScopeAdmin && keys.RevokedAt == nil {
		n, err := s.Store.CountAPIKeys(ctx, store.ScopeAdmin)
		if err != nil {
			return err
		}
		if n <= 1 {
			return fmt.Errorf("revoking api key %s: %w: %w", id, ErrLastAdminKey, store.ErrConflict)
		}
	}
	return s.Store.RevokeAPIKey(ctx, id)
}

func (s *Service) findKey(ctx context.Context, id string) (store.APIKey, error) {
	cursor := ""
	for {
		keys, next, err := s.Store.ListAPIKeys(ctx, store.ListOptions{Limit: pageSize, Cursor: cursor})
		if err != nil {
			return store.APIKey{}, err
		}
		for _, k := range keys {
			if k.ID == id {
				return k, nil
			}
		}
		if next == "" {
			return store.APIKey{}, fmt.Errorf("revoking api key %s: %w", id, store.ErrNotFound)
		}
		cursor = next
	}
}
