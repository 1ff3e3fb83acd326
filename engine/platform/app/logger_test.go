package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/platform/config"
)

// The Temporal SDK logs routine events at info; they must not reach the
// output at the default level, while its warnings must.
func TestTemporalClientLoggerIsQuietByDefault(t *testing.T) {
	tests := []struct {
		name     string
		temporal string
		own      slog.Level
		wantInfo bool
		wantWarn bool
	}{
		{name: "defaults: warn and above", temporal: "warn", own: slog.LevelInfo, wantWarn: true},
		{name: "verbose Temporal, hookflow at info", temporal: "debug", own: slog.LevelInfo, wantInfo: true, wantWarn: true},
		{name: "hookflow stricter than Temporal", temporal: "info", own: slog.LevelError},
		{name: "unparsable level falls back to warn", temporal: "loud", own: slog.LevelDebug, wantWarn: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			own := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tc.own}))
			cfg := config.Default()
			cfg.TemporalLogLevel = tc.temporal
			l := temporalClientLogger(cfg, own).With("worker", "w1")
			l.Debug("poller tick")
			l.Info("Started Worker")
			l.Warn("poll failed")
			out := buf.String()
			if got := strings.Contains(out, "Started Worker"); got != tc.wantInfo {
				t.Errorf("info logged = %v, want %v:\n%s", got, tc.wantInfo, out)
			}
			if got := strings.Contains(out, "poll failed"); got != tc.wantWarn {
				t.Errorf("warn logged = %v, want %v:\n%s", got, tc.wantWarn, out)
			}
			if strings.Contains(out, "poller tick") {
				t.Errorf("debug logged:\n%s", out)
			}
			if tc.wantWarn && !strings.Contains(out, "component=temporal-client") || tc.wantWarn && !strings.Contains(out, "worker=w1") {
				t.Errorf("attributes lost:\n%s", out)
			}
		})
	}
}
