package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/store"
)

func (s *server) listAPIKeys(c *gin.Context) {
	opts, ok := listOptions(c)
	if !ok {
		return
	}
	keys, next, err := s.cfg.Manage.Store.ListAPIKeys(c.Request.Context(), opts)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(keys, next))
}

// createAPIKeyBody is the body of POST /api-keys.
type createAPIKeyBody struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
}

// createdKey is the one response that carries a key's plaintext.
type createdKey struct {
	store.APIKey
	Key string `json:"key"`
}

func (s *server) createAPIKey(c *gin.Context) {
	var b createAPIKeyBody
	if !bindJSON(c, &b, false) {
		return
	}
	if strings.TrimSpace(b.Name) == "" {
		badRequest(c, "name", "required")
		return
	}
	if !store.ValidScope(b.Scope) {
		badRequest(c, "scope", "must be admin, editor or viewer")
		return
	}
	k, plaintext, err := s.cfg.Manage.Store.CreateAPIKey(c.Request.Context(), b.Name, b.Scope)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, createdKey{APIKey: k, Key: plaintext})
}

func (s *server) revokeAPIKey(c *gin.Context) {
	if err := s.cfg.Manage.RevokeAPIKey(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
