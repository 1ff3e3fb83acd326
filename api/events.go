package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/store"
)

// eventView is an event as the API shows it: headers redacted, and the
// body as JSON when it is JSON, as text when it is text (form posts), and
// as base64 otherwise.
type eventView struct {
	store.Event
	Body       json.RawMessage `json:"body,omitempty"`
	BodyText   string          `json:"body_text,omitempty"`
	BodyBase64 string          `json:"body_base64,omitempty"`
}

func (s *server) eventView(ev store.Event) eventView {
	ev.Headers = s.cfg.Manage.RedactHeaders(ev.Connector, ev.Headers)
	v := eventView{Event: ev}
	switch {
	case len(ev.Body) == 0:
	case json.Valid(ev.Body):
		v.Body = ev.Body
	case utf8.Valid(ev.Body):
		v.BodyText = string(ev.Body)
	default:
		v.BodyBase64 = base64.StdEncoding.EncodeToString(ev.Body)
	}
	return v
}

// eventFilter reads the event filter query parameters.
func eventFilter(c *gin.Context) (store.EventFilter, bool) {
	opts, ok := listOptions(c)
	if !ok {
		return store.EventFilter{}, false
	}
	f := store.EventFilter{WorkflowID: c.Query("workflow_id"), EndpointID: c.Query("endpoint_id"),
		Status: c.Query("status"), EventType: c.Query("type"), ProviderEventID: c.Query("provider_event_id"),
		ReplayOf: c.Query("replay_of"), ListOptions: opts}
	if f.Status != "" && !store.ValidEventStatus(f.Status) {
		badRequest(c, "status", "unknown event status \""+f.Status+"\"")
		return f, false
	}
	if f.Since, ok = timeParam(c, "since"); !ok {
		return f, false
	}
	if f.Until, ok = timeParam(c, "until"); !ok {
		return f, false
	}
	return f, true
}

func (s *server) listEvents(c *gin.Context) {
	f, ok := eventFilter(c)
	if !ok {
		return
	}
	evs, next, err := s.cfg.Manage.Store.ListEvents(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]eventView, len(evs))
	for i, ev := range evs {
		out[i] = s.eventView(ev)
	}
	c.JSON(http.StatusOK, page(out, next))
}

func (s *server) getEvent(c *gin.Context) {
	ev, err := s.cfg.Manage.Store.GetEvent(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.eventView(ev))
}

// replayBody is the body of POST /events/{id}/replay.
type replayBody struct {
	// Version replays on a chosen workflow version; 0 means the current.
	Version int `json:"version,omitempty"`
}

func (s *server) replayEvent(c *gin.Context) {
	var b replayBody
	if !bindJSON(c, &b, true) {
		return
	}
	ctx := c.Request.Context()
	if _, err := s.cfg.Manage.Store.GetEvent(ctx, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	if s.cfg.Triggers == nil {
		s.unavailable(c, "replay")
		return
	}
	ev, err := s.cfg.Triggers.Replay(ctx, c.Param("id"), b.Version)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, s.eventView(ev))
}

// bulkReplayBody is the body of POST /events/replay: a filter like the
// list's query parameters, and how many events to replay at most.
type bulkReplayBody struct {
	WorkflowID      string `json:"workflow_id,omitempty"`
	EndpointID      string `json:"endpoint_id,omitempty"`
	Status          string `json:"status,omitempty"`
	Type            string `json:"type,omitempty"`
	ProviderEventID string `json:"provider_event_id,omitempty"`
	Since           string `json:"since,omitempty"`
	Until           string `json:"until,omitempty"`
	Cursor          string `json:"cursor,omitempty"`
	Max             int    `json:"max,omitempty"`
	Version         int    `json:"version,omitempty"`
}

func (s *server) bulkReplay(c *gin.Context) {
	var b bulkReplayBody
	if !bindJSON(c, &b, false) {
		return
	}
	f := store.EventFilter{WorkflowID: b.WorkflowID, EndpointID: b.EndpointID, Status: b.Status, EventType: b.Type,
		ProviderEventID: b.ProviderEventID, ListOptions: store.ListOptions{Cursor: b.Cursor}}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		v := map[string]string{"since": b.Since, "until": b.Until}[name]
		if v == "" {
			continue
		}
		t, err := parseTime(v)
		if err != nil {
			badRequest(c, name, "must be an RFC 3339 time such as 2024-05-01T10:00:00Z, or unix seconds")
			return
		}
		*dst = t
	}
	if s.cfg.Triggers == nil {
		s.unavailable(c, "replay")
		return
	}
	res, err := s.cfg.Manage.BulkReplay(c.Request.Context(), f, b.Max, b.Version, s.cfg.Triggers.Replay)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, res)
}
