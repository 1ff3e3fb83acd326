package triggers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// Stage 4, commit: make the delivery's events durable. The inbox dedupes
// them by (endpoint, provider event id) and group-commits them with the
// deliveries of other requests; nothing is acknowledged before the
// commit, and a failed commit is a 503, never a 2xx.

// Delivery statuses in 2xx replies.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusIgnored   = "ignored"
	// StatusUnparseable: an authenticated delivery that could not be
	// turned into an event was kept for inspection and replay.
	StatusUnparseable = "unparseable"
)

// Reply is the JSON body of a 2xx webhook reply.
type Reply struct {
	EventID string `json:"event_id,omitempty"`
	Status  string `json:"status"`
	// Events lists each event of a delivery that carried several.
	Events []ReplyEvent `json:"events,omitempty"`
}

// ReplyEvent is one event of a multi-event delivery.
type ReplyEvent struct {
	EventID string `json:"event_id"`
	Status  string `json:"status"`
}

// commit commits rows and returns the reply that acknowledges them and
// the accepted events (neither ignored nor a duplicate), whose runs the
// respond stage starts. It counts each event by status and tells the
// Observer. When the store cannot take the write it answers 503 and
// reports false.
func (g *Ingestor) commit(w http.ResponseWriter, d *delivery, rows []*store.Event) (Reply, []store.Event, bool) {
	results, err := g.inbox.Commit(d.ctx(), rows)
	if err != nil {
		countDelivery(d.rt, outcomeUnavailable)
		g.storeFailed(w, err)
		return Reply{}, nil, false
	}
	reply := Reply{}
	var accepted []store.Event
	for i, res := range results {
		st := StatusAccepted
		switch {
		case rows[i].Status == store.EventIgnored:
			st = StatusIgnored
		case res.Duplicate:
			st = StatusDuplicate
		default:
			accepted = append(accepted, *rows[i])
		}
		countDelivery(d.rt, st) // per event: a HubSpot batch of 10 counts 10
		if i == 0 {
			reply.EventID, reply.Status = res.ID, st
		}
		if len(results) > 1 {
			reply.Events = append(reply.Events, ReplyEvent{EventID: res.ID, Status: st})
		}
	}
	if len(results) > 1 {
		reply.Status = overall(reply.Events)
	}
	g.observer.Observe(d.rt.endpoint.ID, *rows[0])
	return reply, accepted, true
}

// overall is the status of a multi-event delivery: accepted when any
// event was, else duplicate when any was, else ignored.
func overall(evs []ReplyEvent) string {
	st := StatusIgnored
	for _, e := range evs {
		switch e.Status {
		case StatusAccepted:
			return StatusAccepted
		case StatusDuplicate:
			st = StatusDuplicate
		}
	}
	return st
}

// storeFailed answers 503 for a failed commit.
func (g *Ingestor) storeFailed(w http.ResponseWriter, err error) {
	if errors.Is(err, context.Canceled) {
		return // the caller has gone; nothing to answer
	}
	g.log.Error("committing webhook events", "error", err)
	g.unavailable(w, "the event could not be stored; it was not accepted, retry later")
}

// unavailable answers 503 with Retry-After.
func (g *Ingestor) unavailable(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int((g.cfg.RetryAfter+time.Second-1)/time.Second)))
	writeError(w, http.StatusServiceUnavailable, msg)
}
