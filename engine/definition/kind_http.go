package definition

import (
	"net/url"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// KindHTTP calls any URL.
const KindHTTP Kind = "http"

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

var httpKind = &KindSpec{
	Kind:        KindHTTP,
	Title:       "HTTP request",
	Description: "Call any URL.",
	Output:      `{"status": <HTTP status>, "headers": {…}, "body": <JSON body, or the text>}`,
	Flow:        FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "method", Title: "Method", Type: connectors.TypeString, Default: "GET", Enum: httpMethods}},
		{Field: connectors.Field{Name: "url", Title: "URL", Type: connectors.TypeString, Required: true,
			Example: "https://api.example.com/orders/{{ trigger.id }}", Help: "An absolute http or https URL; templates allowed."}, Format: FormatTemplate},
		{Field: connectors.Field{Name: "headers", Title: "Headers", Type: connectors.TypeObject}, Format: FormatTemplateMap},
		{Field: connectors.Field{Name: "query", Title: "Query parameters", Type: connectors.TypeObject}, Format: FormatTemplateMap},
		{Field: connectors.Field{Name: "body", Title: "Body", Type: connectors.TypeAny, Example: map[string]any{"order": "{{ trigger.id }}"},
			Help: "Any JSON value; templates allowed in its strings."}, Format: FormatTemplates},
		{Field: connectors.Field{Name: "credential", Title: "Credential", Type: connectors.TypeString,
			Help: "Optional: an http credential adds its auth header."}, Format: FormatCredential, Connector: "http"},
		optNext, optRetry, optTimeout, optOnError,
	},
	validate: validateHTTP,
	edges:    continues,
}

func validateHTTP(r *run, n *node) {
	s, p := n.step, n.path
	if s.Method != "" && !contains(httpMethods, s.Method) {
		r.errorf(p+".method", "unknown method %q: want one of %s", s.Method, strings.Join(httpMethods, ", "))
	}
	if s.URL == "" {
		r.errorf(p+".url", "is required")
	} else if _, isTemplate := r.template(p+".url", s.URL, n, n.ctx()); !isTemplate {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.errorf(p+".url", "%q is not an absolute http or https URL", s.URL)
		}
	}
	r.headers(p+".headers", s.Headers, n)
	r.headers(p+".query", s.Query, n)
	r.templates(p+".body", s.Body, n, n.ctx())
	if s.Credential != "" && r.env != nil {
		// Only an http credential is meant for URLs a workflow names; the
		// http step refuses any other at run time too.
		r.credential(p+".credential", s.Credential, "http", nil)
	}
}
