// Package ui serves hookflow's web UI: a single-page application written in
// plain ES modules, HTML and CSS, embedded in the binary so `hookflow dev`
// and `hookflow server` need nothing else on disk and nothing from the
// internet. The page talks only to the REST API under /api/v1 with the API
// key the user pastes at login.
//
// Routes:
//
//	GET /          the application shell (index.html)
//	GET /ui/...    static assets (JavaScript modules, CSS, icon)
//
// Navigation inside the application uses the URL fragment (#/runs/…), so the
// server never needs a catch-all route that could shadow API or webhook
// paths.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var static embed.FS

// AssetPrefix is the URL path under which static assets are served.
const AssetPrefix = "/ui/"

// contentSecurityPolicy allows only same-origin scripts, styles and API
// calls. The UI has no inline script and loads no fonts or CDNs, so a
// stricter policy than most apps is possible; it also keeps a stored
// workflow name or event body from ever running as script.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Assets returns the embedded static files, rooted so that "index.html"
// and "js/app.js" are top-level paths.
func Assets() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// Unreachable: "static" is embedded above, so Sub cannot fail.
		panic("ui: embedded static folder missing: " + err.Error())
	}
	return sub
}

// Mount adds the UI routes (GET and HEAD on "/" and under AssetPrefix) to r.
// It registers no NoRoute handler, so it never hides API or webhook 404s.
func Mount(r *gin.Engine) {
	h := Handler()
	for _, path := range []string{"/", AssetPrefix + "*filepath"} {
		r.GET(path, gin.WrapH(h))
		r.HEAD(path, gin.WrapH(h))
	}
}

// Handler serves the UI as a plain net/http handler: "/" (and
// "/index.html") answer the application shell, paths under AssetPrefix the
// assets, anything else 404.
func Handler() http.Handler {
	assets := Assets()
	files := http.FileServerFS(noDirs{assets})
	index, err := fs.ReadFile(assets, "index.html")
	if err != nil {
		panic("ui: embedded index.html missing: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		switch {
		case req.URL.Path == "/" || req.URL.Path == "/index.html":
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Type", "text/html; charset=utf-8")
			// The shell is tiny and names the assets; revalidate it every
			// time so an upgraded binary is picked up on reload.
			h.Set("Cache-Control", "no-cache")
			if req.Method == http.MethodHead {
				return
			}
			_, _ = w.Write(index)
		case strings.HasPrefix(req.URL.Path, AssetPrefix) && len(req.URL.Path) > len(AssetPrefix):
			// Assets change with the binary, not by themselves: allow the
			// browser to cache them but make it revalidate (the embedded
			// files carry no modification time, so FileServer cannot send
			// Last-Modified; no-cache keeps reloads correct after upgrades).
			h.Set("Cache-Control", "no-cache")
			r2 := new(http.Request)
			*r2 = *req
			u := *req.URL
			u.Path = "/" + strings.TrimPrefix(req.URL.Path, AssetPrefix)
			u.RawPath = ""
			r2.URL = &u
			files.ServeHTTP(w, r2)
		default:
			http.NotFound(w, req)
		}
	})
}

// noDirs hides directories from http.FileServer, so /ui/js/ answers 404
// instead of a listing.
type noDirs struct{ fs.FS }

func (n noDirs) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if st.IsDir() {
		_ = f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}
