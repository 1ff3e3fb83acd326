package api

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI 3.1 document of the REST API.
func OpenAPI() []byte { return openAPIDoc }

func (s *server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openAPIDoc)
}

func (s *server) workflowSchema(c *gin.Context) {
	c.Data(http.StatusOK, "application/schema+json", definition.SchemaJSON())
}

// stepKinds is the document GET /api/v1/step-kinds serves: the fields
// every step has and the spec of every step kind, in documentation order.
// The editor builds its step forms from it.
type stepKinds struct {
	CommonFields []definition.StepField `json:"common_fields"`
	StepKinds    []*definition.KindSpec `json:"step_kinds"`
}

func (s *server) listStepKinds(c *gin.Context) {
	c.JSON(http.StatusOK, stepKinds{CommonFields: definition.CommonFields, StepKinds: definition.KindSpecs()})
}

func (s *server) listConnectors(c *gin.Context) {
	c.JSON(http.StatusOK, s.cfg.Manage.Registry.Catalog())
}

func (s *server) getConnector(c *gin.Context) {
	for _, cc := range s.cfg.Manage.Registry.Catalog().Connectors {
		if cc.Name == c.Param("name") {
			c.JSON(http.StatusOK, cc)
			return
		}
	}
	s.fail(c, notFoundf("connector %q is not registered", c.Param("name")))
}

func (s *server) listDeliveries(c *gin.Context) {
	opts, ok := listOptions(c)
	if !ok {
		return
	}
	f := store.DeliveryFilter{Destination: c.Query("destination"), Status: c.Query("status"),
		WorkflowID: c.Query("workflow_id"), RunID: c.Query("run_id"), ListOptions: opts}
	switch f.Status {
	case "", store.DeliveryPending, store.DeliverySucceeded, store.DeliveryFailed, store.DeliveryDead:
	default:
		badRequest(c, "status", "must be pending, succeeded, failed or dead")
		return
	}
	ds, next, err := s.cfg.Manage.Store.ListDeliveries(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(ds, next))
}

// deliveryView is a delivery with its stored payload: JSON when it is
// JSON, base64 otherwise.
type deliveryView struct {
	store.Delivery
	Payload       json.RawMessage `json:"payload,omitempty"`
	PayloadBase64 string          `json:"payload_base64,omitempty"`
}

func (s *server) getDelivery(c *gin.Context) {
	d, err := s.cfg.Manage.Store.GetDelivery(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := deliveryView{Delivery: d}
	switch {
	case len(d.Payload) == 0:
	case json.Valid(d.Payload):
		v.Payload = d.Payload
	default:
		v.PayloadBase64 = base64.StdEncoding.EncodeToString(d.Payload)
	}
	c.JSON(http.StatusOK, v)
}

// listDeliveryAttempts is a delivery's per-attempt log, first attempt
// first.
func (s *server) listDeliveryAttempts(c *gin.Context) {
	log, err := s.cfg.Manage.Store.ListDeliveryAttempts(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(log, ""))
}

func (s *server) retryDelivery(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := s.cfg.Manage.Store.GetDelivery(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if d.Status != store.DeliveryDead && d.Status != store.DeliveryFailed {
		s.fail(c, conflictf("delivery %s is %s; only failed or dead deliveries can be retried", d.ID, d.Status))
		return
	}
	if s.cfg.Runs == nil {
		s.unavailable(c, "retrying deliveries")
		return
	}
	if err := s.cfg.Runs.RetryDelivery(ctx, d); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": d.ID, "status": "retrying"})
}

// deliveryHealth aggregates deliveries per destination
// (?destination= for one).
func (s *server) deliveryHealth(c *gin.Context) {
	ctx := c.Request.Context()
	if dest := c.Query("destination"); dest != "" {
		h, err := s.cfg.Manage.Store.DestinationHealth(ctx, dest)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, page([]store.DestinationHealth{h}, ""))
		return
	}
	hs, err := s.cfg.Manage.Store.ListDestinationHealth(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(hs, ""))
}

func notFoundf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, store.ErrNotFound)...)
}

func conflictf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, ErrConflict)...)
}
