package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/services/health"
	"github.com/hookflow/hookflow/engine/store"
)

// DefaultIncidentHistory is how far back GET /alerts/incidents lists
// resolved incidents when the caller gives no ?since=.
const DefaultIncidentHistory = 7 * 24 * time.Hour

// alertRoutes are the health alert rules and their incidents; the rules
// are validated by engine/services/health.
func (s *server) alertRoutes(v1 *gin.RouterGroup, viewer, editor gin.HandlerFunc) {
	v1.GET("/alerts", viewer, s.listAlerts)
	v1.POST("/alerts", editor, s.createAlert)
	v1.GET("/alerts/incidents", viewer, s.listIncidents)
	v1.GET("/alerts/:id", viewer, s.getAlert)
	v1.PATCH("/alerts/:id", editor, s.updateAlert)
	v1.DELETE("/alerts/:id", editor, s.deleteAlert)
}

func (s *server) alerts() *health.Rules { return &health.Rules{Store: s.cfg.Manage.Store} }

func (s *server) listAlerts(c *gin.Context) {
	rules, err := s.alerts().List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(rules, ""))
}

func (s *server) createAlert(c *gin.Context) {
	var in health.RuleInput
	if !bindJSON(c, &in, false) {
		return
	}
	r, err := s.alerts().Create(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

func (s *server) getAlert(c *gin.Context) {
	r, err := s.alerts().Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *server) updateAlert(c *gin.Context) {
	var in health.RuleInput
	if !bindJSON(c, &in, false) {
		return
	}
	r, err := s.alerts().Update(c.Request.Context(), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *server) deleteAlert(c *gin.Context) {
	if err := s.alerts().Delete(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listIncidents lists open incidents and those resolved since ?since=
// (an RFC 3339 time, default DefaultIncidentHistory ago); ?state=open
// lists only open ones, ?rule_id= one rule's.
func (s *server) listIncidents(c *gin.Context) {
	f := store.IncidentFilter{RuleID: c.Query("rule_id"), Since: time.Now().Add(-DefaultIncidentHistory)}
	switch c.Query("state") {
	case "", "all":
	case store.IncidentFiring, "open":
		f.Open = true
	default:
		badRequest(c, "state", `must be "open" or "all"`)
		return
	}
	if v := c.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			badRequest(c, "since", "must be an RFC 3339 time like 2026-01-02T15:04:05Z")
			return
		}
		f.Since = t
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxListLimit {
			badRequest(c, "limit", "must be between 1 and "+strconv.Itoa(store.MaxListLimit))
			return
		}
		f.Limit = n
	}
	list, err := s.cfg.Manage.Store.ListIncidents(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(list, ""))
}
