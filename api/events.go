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
// body exactly as received: as JSON when it is valid UTF-8 JSON (written
// byte for byte by writeEvent, never re-encoded), as text when it is
// other UTF-8 (form posts), and as base64 otherwise. A reformatting proxy
// is a common cause of signature failures, so the log must show the
// bytes that arrived, not an equivalent of them.
type eventView struct {
	store.Event
	BodyText   string `json:"body_text,omitempty"`
	BodyBase64 string `json:"body_base64,omitempty"`
	// rawBody is the JSON body, spliced in as "body" by writeEvent.
	rawBody []byte
}

func (s *server) eventView(ev store.Event) eventView {
	ev.Headers = s.cfg.Manage.RedactHeaders(ev.Connector, ev.Headers)
	v := eventView{Event: ev}
	switch {
	case len(ev.Body) == 0:
	case utf8.Valid(ev.Body) && json.Valid(ev.Body):
		v.rawBody = ev.Body
	case utf8.Valid(ev.Body):
		v.BodyText = string(ev.Body)
	default:
		v.BodyBase64 = base64.StdEncoding.EncodeToString(ev.Body)
	}
	return v
}

// writeEvent writes an event view as JSON with its body's received bytes
// as the "body" member. encoding/json compacts a json.RawMessage and
// escapes <, > and & in it, so the body is spliced in after encoding the
// rest: JSON allows the body's own whitespace between tokens, and the
// body is valid JSON (eventView checked), so the document stays valid.
func writeEvent(c *gin.Context, status int, v eventView) {
	out, err := json.Marshal(v)
	if err != nil {
		c.JSON(http.StatusInternalServerError, gin.H{"error": "encoding the event: " + err.Error()})
		return
	}
	if v.rawBody != nil {
		out = append(out[:len(out)-1], `,"body":`...)
		out = append(out, v.rawBody...)
		out = append(out, '}')
	}
	c.Data(status, "application/json; charset=utf-8", out)
}

// getEventBody serves an event's body exactly as received, for diffing
// against what the sender says it sent. It is served as opaque bytes,
// never with the sender's content type, so a hostile body cannot render
// as a page on the API's origin.
func (s *server) getEventBody(c *gin.Context) {
	ev, err := s.cfg.Manage.Store.GetEvent(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Disposition", `attachment; filename="`+ev.ID+`.body"`)
	c.Data(http.StatusOK, "application/octet-stream", ev.Body)
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
	// Only the list searches: bulk replay shares eventFilter, and must
	// never take a search it cannot honour as "every event".
	if f.Match, ok = bodyMatch(c); !ok {
		return
	}
	evs, next, err := s.cfg.Manage.Store.SearchEvents(c.Request.Context(), f)
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
	writeEvent(c, http.StatusOK, s.eventView(ev))
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
	writeEvent(c, http.StatusAccepted, s.eventView(ev))
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
