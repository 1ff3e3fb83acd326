package ui_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/api/ui"
	"github.com/hookflow/hookflow/connectors/all"
)

func TestHandler(t *testing.T) {
	r := gin.New()
	ui.Mount(r)
	r.GET("/api/v1/ping", func(c *gin.Context) { c.String(http.StatusOK, "pong") })

	tests := []struct {
		name        string
		method      string
		path        string
		status      int
		contentType string
		body        string // substring of the body
		header      map[string]string
	}{
		{name: "shell", method: "GET", path: "/", status: 200, contentType: "text/html; charset=utf-8",
			body:   `<script type="module" src="/ui/js/app.js">`,
			header: map[string]string{"Content-Security-Policy": "script-src 'self'", "X-Frame-Options": "DENY", "Cache-Control": "no-cache"}},
		{name: "shell HEAD", method: "HEAD", path: "/", status: 200, contentType: "text/html; charset=utf-8"},
		{name: "module", method: "GET", path: "/ui/js/app.js", status: 200, contentType: "text/javascript; charset=utf-8", body: "import",
			header: map[string]string{"X-Content-Type-Options": "nosniff"}},
		{name: "stylesheet", method: "GET", path: "/ui/style.css", status: 200, contentType: "text/css; charset=utf-8", body: ":root"},
		{name: "icon", method: "GET", path: "/ui/favicon.svg", status: 200, contentType: "image/svg+xml"},
		{name: "missing asset", method: "GET", path: "/ui/js/nope.js", status: 404},
		{name: "no directory listing", method: "GET", path: "/ui/js/", status: 404},
		{name: "no escape from the asset folder", method: "GET", path: "/ui/../ui.go", status: 404},
		{name: "API routes untouched", method: "GET", path: "/api/v1/ping", status: 200, body: "pong"},
		{name: "unknown paths stay 404", method: "GET", path: "/hooks/abc", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %.200s", w.Code, tt.status, w.Body.String())
			}
			if tt.contentType != "" && w.Header().Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type %q, want %q", w.Header().Get("Content-Type"), tt.contentType)
			}
			if tt.body != "" && !strings.Contains(w.Body.String(), tt.body) {
				t.Errorf("body does not contain %q: %.300s", tt.body, w.Body.String())
			}
			if tt.method == "HEAD" && w.Body.Len() != 0 {
				t.Errorf("HEAD answered a body of %d bytes", w.Body.Len())
			}
			for k, v := range tt.header {
				if !strings.Contains(w.Header().Get(k), v) {
					t.Errorf("header %s = %q, want it to contain %q", k, w.Header().Get(k), v)
				}
			}
		})
	}
}

// TestAssetsSelfContained checks that nothing the page loads comes from
// another origin (the machine running hookflow may have no internet) and
// that no asset writes markup from strings (every value goes through
// textContent, so event payloads cannot inject script).
func TestAssetsSelfContained(t *testing.T) {
	err := fs.WalkDir(ui.Assets(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := ui.Assets().Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		raw, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		src := string(raw)
		for _, bad := range []string{"innerHTML", "outerHTML =", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
			if strings.Contains(src, bad) {
				t.Errorf("%s uses %s", path, bad)
			}
		}
		for _, attr := range []string{`src="http`, `href="http`, "url(http", "@import", "fonts.googleapis", `src="//`, `href="//`, "url(//"} {
			if strings.Contains(src, attr) {
				t.Errorf("%s loads something from another origin (%s)", path, attr)
			}
		}
		// Stylesheets and images name no other host at all (an SVG's
		// namespace URI is an identifier, never fetched).
		if strings.HasSuffix(path, ".css") || strings.HasSuffix(path, ".svg") {
			rest := strings.ReplaceAll(src, `xmlns="http://www.w3.org/2000/svg"`, "")
			if strings.Contains(rest, "http://") || strings.Contains(rest, "https://") || strings.Contains(rest, "url(//") {
				t.Errorf("%s names another host", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConnectorIconsBundled checks that every connector's icon is an SVG
// served from the binary (/ui/icons/NAME.svg), never a provider's CDN:
// the catalog is what the UI shows, so an external icon would be a
// request leaving the machine each time a page lists connectors.
func TestConnectorIconsBundled(t *testing.T) {
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	ui.Mount(r)
	for _, c := range reg.Catalog().Connectors {
		t.Run(c.Name, func(t *testing.T) {
			if c.Icon != "/ui/icons/"+c.Name+".svg" {
				t.Fatalf("icon %q, want /ui/icons/%s.svg (bundled under api/ui/static/icons)", c.Icon, c.Name)
			}
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest("GET", c.Icon, nil))
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/svg+xml" {
				t.Fatalf("GET %s: %d %s", c.Icon, w.Code, w.Header().Get("Content-Type"))
			}
			body := w.Body.String()
			if !strings.HasPrefix(body, "<svg ") || !strings.Contains(body, "<title>") {
				t.Errorf("%s is not a titled SVG: %.80s", c.Icon, body)
			}
		})
	}
}
