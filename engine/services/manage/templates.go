package manage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

// Template is an example workflow offered in the "New workflow" gallery.
// Everything but the definition is derived from it, so a template never
// states twice which apps it uses.
type Template struct {
	// ID is the file name without ".json", e.g. "hello-slack".
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Connectors are the apps the workflow uses, the trigger's first.
	Connectors []string `json:"connectors"`
	// Credentials are the credentials it names, each with where it is
	// used and whether one of that name is already saved.
	Credentials []TemplateCredential `json:"credentials"`
	Definition  json.RawMessage      `json:"definition"`
}

// TemplateCredential is a credential a template needs.
type TemplateCredential struct {
	Name      string `json:"name"`
	Connector string `json:"connector"`
	// Paths are the JSON paths that name it, e.g. "trigger.credential".
	Paths []string `json:"paths"`
	// Saved is true when a credential of this name exists for Connector;
	// otherwise the user creates it before activating.
	Saved bool `json:"saved"`
}

// templatesSkipped are example files that are not templates: the
// benchmark's reference workflow posts to a local sink only the harness
// runs.
var templatesSkipped = map[string]bool{"bench-reference": true}

// ErrTemplateNotFound is wrapped (with store.ErrNotFound, so the API
// answers 404) when no template has the requested id.
var ErrTemplateNotFound = errors.New("no such template")

// Templates lists the templates in fsys (NAME.json at its root), by name.
func (s *Service) Templates(ctx context.Context, fsys fs.FS) ([]Template, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("listing templates: %w", err)
	}
	env, err := s.Env(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Template, 0, len(names))
	for _, n := range names {
		id := strings.TrimSuffix(path.Base(n), ".json")
		if templatesSkipped[id] {
			continue
		}
		t, err := readTemplate(fsys, id, env)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Template returns one template by id.
func (s *Service) Template(ctx context.Context, fsys fs.FS, id string) (Template, error) {
	if !validTemplateID(id) || templatesSkipped[id] {
		return Template{}, fmt.Errorf("template %q: %w: %w", id, ErrTemplateNotFound, store.ErrNotFound)
	}
	env, err := s.Env(ctx)
	if err != nil {
		return Template{}, err
	}
	return readTemplate(fsys, id, env)
}

// validTemplateID keeps ids to plain file names, so an id can never
// reach outside the templates folder.
func validTemplateID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func readTemplate(fsys fs.FS, id string, env definition.Env) (Template, error) {
	raw, err := fs.ReadFile(fsys, id+".json")
	if errors.Is(err, fs.ErrNotExist) {
		return Template{}, fmt.Errorf("template %q: %w: %w", id, ErrTemplateNotFound, store.ErrNotFound)
	}
	if err != nil {
		return Template{}, fmt.Errorf("reading template %q: %w", id, err)
	}
	var head struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return Template{}, fmt.Errorf("template %q does not decode: %w", id, err)
	}
	t := Template{ID: id, Name: head.Name, Description: head.Description, Definition: compact(raw)}
	t.Connectors, t.Credentials = uses(raw, env)
	return t, nil
}

// uses walks a definition's JSON and returns the connectors it uses (the
// trigger's first, then in order of appearance) and the credentials it
// names. It walks the JSON rather than the parsed steps so step kinds
// added later (with their own nested steps) are covered without change;
// it does not descend into values that hold user data.
func uses(raw []byte, env definition.Env) ([]string, []TemplateCredential) {
	var conns []string
	seen := map[string]bool{}
	creds := map[string]*TemplateCredential{}
	var order []string
	var walk func(v gjson.Result, p string)
	walk = func(v gjson.Result, p string) {
		switch {
		case v.IsArray():
			for i, item := range v.Array() {
				walk(item, fmt.Sprintf("%s[%d]", p, i))
			}
		case v.IsObject():
			conn := v.Get("connector").String()
			if conn == "" && v.Get("type").String() == "http" && p != "trigger" {
				conn = "http"
			}
			if conn != "" && !seen[conn] {
				seen[conn] = true
				conns = append(conns, conn)
			}
			if name := v.Get("credential").String(); name != "" {
				c := creds[name]
				if c == nil {
					c = &TemplateCredential{Name: name, Connector: conn}
					creds[name] = c
					order = append(order, name)
				}
				c.Paths = append(c.Paths, join(p, "credential"))
			}
			v.ForEach(func(k, val gjson.Result) bool {
				if !userData[k.String()] && (val.IsObject() || val.IsArray()) {
					walk(val, join(p, k.String()))
				}
				return true
			})
		}
	}
	walk(gjson.ParseBytes(raw), "")
	out := make([]TemplateCredential, 0, len(order))
	for _, n := range order {
		c := *creds[n]
		if have, ok := env.Credential(c.Name); ok && (c.Connector == "" || have == c.Connector) {
			c.Saved = true
		}
		out = append(out, c)
	}
	if conns == nil {
		conns = []string{}
	}
	return conns, out
}

// userData are definition keys whose values are the author's data
// (inputs, mappings, variables, bodies), never step structure.
var userData = map[string]bool{"input": true, "map": true, "vars": true, "body": true, "headers": true,
	"output": true, "value": true, "options": true, "expect": true}

func join(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

// UseTemplate saves template id as a new draft named name (or the
// template's name, numbered "Name (2)", "Name (3)", … when taken), so the
// user walks through its missing credentials from the editor.
func (s *Service) UseTemplate(ctx context.Context, fsys fs.FS, id, name string) (WorkflowView, error) {
	t, err := s.Template(ctx, fsys, id)
	if err != nil {
		return WorkflowView{}, err
	}
	return s.createDraft(ctx, t.Definition, name)
}

// ImportWorkflow saves an exported definition (a workflow JSON file) as a
// new draft, renamed like UseTemplate when its name is taken, so a file
// from another hookflow can be completed (its credentials created) here
// before it is activated.
func (s *Service) ImportWorkflow(ctx context.Context, raw []byte, name string) (WorkflowView, error) {
	return s.createDraft(ctx, raw, name)
}

// maxNameTries bounds the numbered names tried for a taken name.
const maxNameTries = 100

func (s *Service) createDraft(ctx context.Context, raw []byte, name string) (WorkflowView, error) {
	def, err := parseDraft(raw)
	if err != nil {
		return WorkflowView{}, err
	}
	explicit := strings.TrimSpace(name) != ""
	base := def.Name
	if explicit {
		base = strings.TrimSpace(name)
	}
	for i := 1; i <= maxNameTries; i++ {
		try := base
		if i > 1 {
			try = base + " (" + strconv.Itoa(i) + ")"
		}
		renamed, err := setName(raw, try)
		if err != nil {
			return WorkflowView{}, err
		}
		v, err := s.Create(ctx, SaveRequest{Definition: renamed, Draft: true})
		if errors.Is(err, store.ErrConflict) && !explicit {
			continue
		}
		return v, err
	}
	return WorkflowView{}, fmt.Errorf("naming the workflow %q: %d numbered names are taken: %w", base, maxNameTries, store.ErrConflict)
}

// setName replaces the top-level "name" of a definition in place, keeping
// the author's key order and formatting.
func setName(raw []byte, name string) ([]byte, error) {
	quoted, err := json.Marshal(name)
	if err != nil {
		return nil, err
	}
	r := gjson.GetBytes(raw, "name")
	if !r.Exists() || r.Index <= 0 {
		return nil, invalid(titleInvalidDraft, "name", "required: even a draft needs a name")
	}
	out := make([]byte, 0, len(raw)+len(quoted))
	out = append(out, raw[:r.Index]...)
	out = append(out, quoted...)
	return append(out, raw[r.Index+len(r.Raw):]...), nil
}

// Export returns a workflow's definition (of version, or the current one
// when version is 0) indented for a file, with a file name made from the
// workflow's name. The file imports back with ImportWorkflow and works
// with `hookflow apply` and `hookflow validate`.
func (s *Service) Export(ctx context.Context, id string, version int) (file []byte, filename string, err error) {
	wf, err := s.Store.GetWorkflow(ctx, id)
	if err != nil {
		return nil, "", err
	}
	raw := wf.Definition
	if version > 0 && version != wf.CurrentVersion {
		v, err := s.Store.GetVersion(ctx, id, version)
		if err != nil {
			return nil, "", err
		}
		raw = v.Definition
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return nil, "", fmt.Errorf("exporting workflow %s: %w", id, err)
	}
	b.WriteByte('\n')
	return b.Bytes(), slug(wf.Name) + ".json", nil
}

// slug turns a workflow name into a safe file name.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		return "workflow"
	}
	if len(s) > 80 {
		s = strings.TrimSuffix(s[:80], "-")
	}
	return s
}
