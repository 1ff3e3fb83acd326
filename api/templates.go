package api

import (
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/workflows"
)

// templates is the gallery's source: the examples embedded from
// workflows/, unless Config.Templates names another folder.
func (s *server) templates() fs.FS {
	if s.cfg.Templates != nil {
		return s.cfg.Templates
	}
	return workflows.FS()
}

func (s *server) listTemplates(c *gin.Context) {
	items, err := s.cfg.Manage.Templates(c.Request.Context(), s.templates())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(items, ""))
}

func (s *server) getTemplate(c *gin.Context) {
	t, err := s.cfg.Manage.Template(c.Request.Context(), s.templates(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

// useTemplateBody is the optional body of POST /templates/{id}/use.
type useTemplateBody struct {
	// Name names the new draft; empty takes the template's name, numbered
	// when taken.
	Name string `json:"name,omitempty"`
}

func (s *server) useTemplate(c *gin.Context) {
	var b useTemplateBody
	if !bindJSON(c, &b, true) {
		return
	}
	wf, err := s.cfg.Manage.UseTemplate(c.Request.Context(), s.templates(), c.Param("id"), b.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", Prefix+"/workflows/"+wf.ID)
	c.JSON(http.StatusCreated, wf)
}

// importWorkflow takes a workflow file (the definition itself, as GET
// /workflows/{id}/export writes it) as the request body and saves it as a
// new draft; ?name= renames it.
func (s *server) importWorkflow(c *gin.Context) {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			problem(c, Problem{Type: ProblemBadRequest, Title: "the request body is too large", Status: http.StatusRequestEntityTooLarge,
				Detail: "the file is over the limit of " + strconv.FormatInt(mbe.Limit, 10) + " bytes"})
			return
		}
		problem(c, Problem{Type: ProblemBadRequest, Title: "the request body could not be read", Status: http.StatusBadRequest, Detail: err.Error()})
		return
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		badRequest(c, "body", "required: send the workflow file (its JSON definition) as the body")
		return
	}
	wf, err := s.cfg.Manage.ImportWorkflow(c.Request.Context(), raw, c.Query("name"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", Prefix+"/workflows/"+wf.ID)
	c.JSON(http.StatusCreated, wf)
}

// exportWorkflow answers the definition as a file download (?version=
// picks an older version), ready for import, `hookflow apply` or git.
func (s *server) exportWorkflow(c *gin.Context) {
	version := 0
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			badRequest(c, "version", "must be a positive integer")
			return
		}
		version = n
	}
	file, name, err := s.cfg.Manage.Export(c.Request.Context(), c.Param("id"), version)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Data(http.StatusOK, "application/json; charset=utf-8", file)
}
