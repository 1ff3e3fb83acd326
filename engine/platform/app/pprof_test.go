package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/platform/app"
)

func TestServePprof(t *testing.T) {
	p, err := app.ServePprof("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + p.Addr().String() + "/debug/pprof/"
	tests := []struct {
		name string
		path string
		want string
	}{
		{name: "index lists the profiles", path: "", want: "goroutine"},
		{name: "goroutine dump names this test", path: "goroutine?debug=1", want: "TestServePprof"},
		{name: "mutex profile is sampled", path: "mutex?debug=1", want: "sampling period=10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(base + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), tc.want) {
				t.Fatalf("GET %s: %d, body without %q:\n%.300s", tc.path, resp.StatusCode, tc.want, b)
			}
		})
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := http.Get(base); err == nil {
		t.Fatal("pprof still served after Close")
	}
}

func TestServePprofBusyPortNamesIt(t *testing.T) {
	p, err := app.ServePprof("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = app.ServePprof(p.Addr().String(), slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), p.Addr().String()) {
		t.Fatalf("second listener on %s: %v, want an error naming the port", p.Addr(), err)
	}
}
