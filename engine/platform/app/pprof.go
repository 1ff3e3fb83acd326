package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/hookflow/hookflow/engine/platform/config"
)

// Named defaults of the profiling listener.
const (
	// PprofBlockRate samples one blocking event per this many nanoseconds
	// blocked, and PprofMutexFraction one in this many mutex contentions.
	// Both are set only while --pprof-addr is on: they cost a little on
	// every blocking call.
	PprofBlockRate     = 10_000
	PprofMutexFraction = 10
)

// Pprof is a running net/http/pprof listener.
type Pprof struct {
	srv  *http.Server
	ln   net.Listener
	once sync.Once
	err  error
}

// ServePprof serves Go's profiling endpoints under /debug/pprof/ on addr
// and turns on block and mutex sampling, so that a slow path can be
// profiled in the process that shows it. The endpoints have no
// authentication; bind addr to loopback. Close stops the listener.
func ServePprof(addr string, logger *slog.Logger) (*Pprof, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof port %s is busy or not usable: %w", addr, err)
	}
	runtime.SetBlockProfileRate(PprofBlockRate)
	runtime.SetMutexProfileFraction(PprofMutexFraction)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	p := &Pprof{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: config.DefaultHTTPReadHeaderTimeout}}
	go func() {
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("serving pprof", "addr", addr, "error", err)
		}
	}()
	logger.Info("serving pprof", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return p, nil
}

// Addr is the bound address.
func (p *Pprof) Addr() net.Addr { return p.ln.Addr() }

// Close stops serving at once: a profile being taken is cut off. Safe to
// call twice and on nil.
func (p *Pprof) Close() error {
	if p == nil {
		return nil
	}
	p.once.Do(func() {
		if err := p.srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			p.err = fmt.Errorf("closing pprof listener: %w", err)
		}
	})
	return p.err
}

// ApplyMemoryLimit sets the Go runtime's soft memory limit to mib MiB, so
// the garbage collector collects harder before the heap outgrows it
// instead of letting a burst double it. A GOMEMLIMIT environment variable
// wins (the runtime has applied it already), and 0 leaves the limit alone.
// It returns the limit in force.
func ApplyMemoryLimit(mib int) int64 {
	if mib > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(mib) << 20)
	}
	return debug.SetMemoryLimit(-1)
}
