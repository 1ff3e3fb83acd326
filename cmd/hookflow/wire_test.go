package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/triggers"
)

// idleStarter accepts every run start and runs nothing: these tests stop
// at the door of the pipeline.
type idleStarter struct{}

func (idleStarter) StartRun(context.Context, interpreter.RunInput, string) error { return nil }

// TestTrustedProxiesComeFromTheProcessConfig checks that --trusted-proxies
// reaches the webhook pipeline: behind a trusted reverse proxy, an
// endpoint's IP allowlist judges the caller named in X-Forwarded-For, and
// otherwise the connection's own address.
func TestTrustedProxiesComeFromTheProcessConfig(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "hookflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	def := `{"name":"fenced","trigger":{"type":"webhook","connector":"webhook"},"steps":[{"id":"done","type":"stop"}]}`
	wf, err := st.CreateWorkflow(ctx, "fenced", []byte(def), "h-fenced")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetWorkflowActive(ctx, wf.ID, true); err != nil {
		t.Fatal(err)
	}
	ep, err := st.CreateEndpoint(ctx, store.NewEndpoint{WorkflowID: wf.ID, IPAllowlist: []string{"203.0.113.0/24"}})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		trusted []string
		peer    string
		want    int
	}{
		{name: "a trusted proxy forwards an allowed caller", trusted: []string{"127.0.0.1"}, peer: "127.0.0.1:5555", want: http.StatusAccepted},
		{name: "without the setting the proxy itself is the caller", peer: "127.0.0.1:5555", want: http.StatusForbidden},
		{name: "an untrusted peer's X-Forwarded-For is ignored", trusted: []string{"10.0.0.0/8"}, peer: "127.0.0.1:5555", want: http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.TrustedProxies = tc.trusted
			tcfg := triggersConfig(app.Deps{Config: cfg, Store: st, Logger: quiet})
			tcfg.Starter = idleStarter{}
			svc, err := triggers.New(tcfg, st, reg, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = svc.Close() })
			req := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(`{"n":1}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			req.RemoteAddr = tc.peer
			w := httptest.NewRecorder()
			svc.Ingestor.ServeHTTP(w, req)
			body, _ := io.ReadAll(w.Body)
			if w.Code != tc.want {
				t.Errorf("delivery = %d %s, want %d", w.Code, body, tc.want)
			}
		})
	}
}
