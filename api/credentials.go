package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/services/manage"
)

func (s *server) listCredentials(c *gin.Context) {
	opts, ok := listOptions(c)
	if !ok {
		return
	}
	items, next, err := s.cfg.Manage.Store.ListCredentials(c.Request.Context(), opts)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(items, next))
}

// createCredential takes {"name", "connector", "values": {...}}; values
// are validated against the connector's credential fields, encrypted, and
// never returned (the response carries masked hints).
func (s *server) createCredential(c *gin.Context) {
	var in manage.CredentialInput
	if !bindJSON(c, &in, false) {
		return
	}
	cred, err := s.cfg.Manage.CreateCredential(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", Prefix+"/credentials/"+cred.ID)
	c.JSON(http.StatusCreated, cred)
}

func (s *server) getCredential(c *gin.Context) {
	cred, err := s.cfg.Manage.ResolveCredential(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cred)
}

func (s *server) updateCredential(c *gin.Context) {
	var in manage.CredentialInput
	if !bindJSON(c, &in, false) {
		return
	}
	cred, err := s.cfg.Manage.UpdateCredential(c.Request.Context(), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cred)
}

// rotateCredential replaces one secret: {"field": "secret", "value": "…"}.
func (s *server) rotateCredential(c *gin.Context) {
	var in manage.SecretRotation
	if !bindJSON(c, &in, false) {
		return
	}
	res, err := s.cfg.Manage.RotateCredentialSecret(c.Request.Context(), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *server) deleteCredential(c *gin.Context) {
	if err := s.cfg.Manage.DeleteCredential(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
