package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/services/manage"
)

func (s *server) getEndpoint(c *gin.Context) {
	e, err := s.cfg.Manage.GetEndpoint(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (s *server) updateEndpoint(c *gin.Context) {
	var p manage.EndpointPatch
	if !bindJSON(c, &p, false) {
		return
	}
	s.patchEndpoint(c, p)
}

func (s *server) patchEndpoint(c *gin.Context, p manage.EndpointPatch) {
	e, err := s.cfg.Manage.UpdateEndpoint(c.Request.Context(), c.Param("id"), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (s *server) enableEndpoint(c *gin.Context) {
	on := true
	s.patchEndpoint(c, manage.EndpointPatch{Enabled: &on})
}

func (s *server) disableEndpoint(c *gin.Context) {
	off := false
	s.patchEndpoint(c, manage.EndpointPatch{Enabled: &off})
}

// rotateEndpoint takes an optional {"grace": "24h"}: how long the old URL
// keeps working.
func (s *server) rotateEndpoint(c *gin.Context) {
	var req manage.RotateRequest
	if !bindJSON(c, &req, true) {
		return
	}
	e, err := s.cfg.Manage.RotateEndpoint(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

// listenEndpoint long-polls for the next delivery to the endpoint (?timeout=,
// a Go duration, default 30s, at most 2m). It answers 200 with the event,
// or 204 when nothing arrived in time.
func (s *server) listenEndpoint(c *gin.Context) {
	timeout := DefaultListenTimeout
	if v := c.Query("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > MaxListenTimeout {
			badRequest(c, "timeout", "must be a duration such as 30s, at most "+MaxListenTimeout.String())
			return
		}
		timeout = d
	}
	ctx := c.Request.Context()
	if _, err := s.cfg.Manage.GetEndpoint(ctx, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	if s.cfg.Triggers == nil {
		s.unavailable(c, "listen mode")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+time.Second)
	defer cancel()
	ev, ok, err := s.cfg.Triggers.Listen(ctx, c.Param("id"), timeout)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ok {
		c.Status(http.StatusNoContent)
		return
	}
	writeEvent(c, http.StatusOK, s.eventView(ev))
}
