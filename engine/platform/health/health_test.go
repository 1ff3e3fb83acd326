package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/platform/health"
)

func TestRunProbes(t *testing.T) {
	ok := func(context.Context) error { return nil }
	fail := func(context.Context) error { return errors.New("down") }
	hang := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	tests := []struct {
		name   string
		probes []health.Probe
		want   string
	}{
		{name: "all pass", probes: []health.Probe{{Name: "a", Check: ok}, {Name: "b", Check: ok}}, want: "ready"},
		{name: "required fails", probes: []health.Probe{{Name: "a", Check: ok}, {Name: "b", Check: fail}}, want: "not_ready"},
		{name: "optional fails", probes: []health.Probe{{Name: "a", Check: ok}, {Name: "b", Check: fail, Optional: true}}, want: "ready"},
		{name: "hung probe times out", probes: []health.Probe{{Name: "a", Check: hang}}, want: "not_ready"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := health.Run(context.Background(), tc.probes, 50*time.Millisecond)
			if body.Status != tc.want {
				b, _ := json.Marshal(body)
				t.Fatalf("status = %s (%s), want %s", body.Status, b, tc.want)
			}
		})
	}
}

func TestHandlers(t *testing.T) {
	fail := func(context.Context) error { return errors.New("store is down") }
	gin.SetMode(gin.ReleaseMode)
	tests := []struct {
		name       string
		probes     []health.Probe
		method     string
		path       string
		wantStatus int
		wantBody   string
	}{
		{name: "liveness", method: http.MethodGet, path: "/healthz", wantStatus: http.StatusOK, wantBody: `{"status":"ok"}`},
		{name: "liveness ignores probes", probes: []health.Probe{{Name: "store", Check: fail}}, method: http.MethodGet, path: "/healthz", wantStatus: http.StatusOK, wantBody: `{"status":"ok"}`},
		{name: "ready", method: http.MethodGet, path: "/readyz", wantStatus: http.StatusOK, wantBody: `{"status":"ready","checks":{}}`},
		{name: "not ready names the probe", probes: []health.Probe{{Name: "store", Check: fail}}, method: http.MethodGet, path: "/readyz",
			wantStatus: http.StatusServiceUnavailable, wantBody: `{"status":"not_ready","checks":{"store":{"status":"fail","error":"store is down"}}}`},
		{name: "head", method: http.MethodHead, path: "/readyz", wantStatus: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gin.New()
			health.Mount(r, tc.probes, 0)
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
			if w.Code != tc.wantStatus || strings.TrimSpace(w.Body.String()) != tc.wantBody && tc.method != http.MethodHead {
				t.Fatalf("%s %s = %d %s; want %d %s", tc.method, tc.path, w.Code, w.Body, tc.wantStatus, tc.wantBody)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Fatalf("Content-Type = %q", ct)
			}
		})
	}
}
