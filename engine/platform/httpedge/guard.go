package httpedge

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookflow/hookflow/engine/metrics"
)

// DefaultBusyRetryAfter is the Retry-After sent when the cap on bodies in
// flight is reached. A body normally arrives in milliseconds, so a slot
// frees quickly; a second tells a provider to come back soon without
// hammering.
const DefaultBusyRetryAfter = time.Second

// busyLogEvery spaces the warning logged while the cap sheds requests: an
// operator needs to know it happens, not a line per refused request.
const busyLogEvery = time.Minute

// Reasons of hookflow_http_guard_refusals_total.
const (
	refusedBusy        = "busy"
	refusedBodyTimeout = "body_timeout"
)

// GuardConfig configures Guard.
type GuardConfig struct {
	// BodyTimeout bounds how long a request body may take to arrive,
	// counted from when the request's headers were read. Past it, reading
	// the body fails with a *BodyTimeoutError and the connection is closed
	// after the reply. Zero means no deadline.
	BodyTimeout time.Duration
	// MaxInFlight caps the requests selected by Limited whose bodies are
	// being received at once. A request holds its slot until its body has
	// been read to the end, reading it failed, or the handler returned,
	// whichever comes first, so a synchronous reply that waits after the
	// body has arrived does not hold one. Zero means no cap.
	MaxInFlight int
	// Limited selects the requests that count against MaxInFlight. Nil
	// means every request with a body.
	Limited func(*http.Request) bool
	// RetryAfter is sent with the 503 of a request refused at the cap;
	// zero means DefaultBusyRetryAfter.
	RetryAfter time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// BodyTimeoutError is returned by a guarded request body whose bytes did
// not all arrive within the body deadline. It unwraps to
// os.ErrDeadlineExceeded. Its text is meant for the caller's reply.
type BodyTimeoutError struct {
	// Limit is the configured body deadline.
	Limit time.Duration
}

func (e *BodyTimeoutError) Error() string {
	return fmt.Sprintf("the request body was not received within %s; the connection is closed", e.Limit)
}

// Unwrap lets errors.Is(err, os.ErrDeadlineExceeded) see the timeout.
func (e *BodyTimeoutError) Unwrap() error { return os.ErrDeadlineExceeded }

// Guard wraps next with the body deadline and the cap on bodies in flight.
// It must wrap the handler given to http.Server itself: it sets the read
// deadline of the request's connection (or HTTP/2 stream) through
// http.ResponseController. Requests without a body pass straight through,
// so long polls are never cut short.
func Guard(next http.Handler, cfg GuardConfig) http.Handler {
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultBusyRetryAfter
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	g := &guard{next: next, cfg: cfg}
	if cfg.MaxInFlight > 0 {
		g.slots = make(chan struct{}, cfg.MaxInFlight)
	}
	return g
}

type guard struct {
	next  http.Handler
	cfg   GuardConfig
	slots chan struct{} // nil: no cap
	// lastBusyLog is the Unix nanoseconds of the last "cap reached" warning.
	lastBusyLog atomic.Int64
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		g.next.ServeHTTP(w, r)
		return
	}
	var release func()
	if g.slots != nil && (g.cfg.Limited == nil || g.cfg.Limited(r)) {
		select {
		case g.slots <- struct{}{}:
		default:
			g.busy(w, r)
			return
		}
		var once sync.Once
		release = func() { once.Do(func() { <-g.slots }) }
		defer release()
	}
	if g.cfg.BodyTimeout > 0 {
		// Once the body is in, net/http clears the connection's deadline
		// itself (its background read that notices a hang-up runs without
		// one), and an HTTP/2 stream's deadline only fails a body still
		// arriving; so a synchronous reply that waits after its body is
		// not cut short.
		err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.cfg.BodyTimeout))
		if err != nil {
			// Only a ResponseWriter that is not the server's own lands
			// here (a test recorder); the body is then read unbounded.
			g.cfg.Logger.Debug("request body deadline not supported", "error", err)
		}
	}
	body := &guardedBody{ReadCloser: r.Body, w: w, limit: g.cfg.BodyTimeout, release: release}
	r2 := *r // as http.MaxBytesHandler does: the server keeps its own request
	r2.Body = body
	g.next.ServeHTTP(w, &r2)
	if !body.ended {
		// The handler answered without the body (404, 403, 429, …). What
		// of it is already buffered is still drained to keep the
		// connection; a sender still dribbling the rest is hung up on
		// instead of waited for (see busy).
		_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	}
}

// busy answers a request refused at the cap and hangs up. After a handler
// returns, net/http reads up to 256 KiB of an unread body to keep the
// connection, which would hold the connection of a slow sender for as
// long as it likes; a read deadline already past makes that read fail at
// once, and Connection: close tells the client why the connection ends.
func (g *guard) busy(w http.ResponseWriter, r *http.Request) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	metrics.GuardRefusals.WithLabelValues(refusedBusy).Inc()
	now := time.Now().UnixNano()
	if last := g.lastBusyLog.Load(); now-last >= int64(busyLogEvery) && g.lastBusyLog.CompareAndSwap(last, now) {
		g.cfg.Logger.Warn("too many request bodies in flight; refusing new ones with 503 until some finish",
			"max_in_flight", g.cfg.MaxInFlight, "path", r.URL.Path)
	}
	secs := int((g.cfg.RetryAfter + time.Second - 1) / time.Second)
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("Connection", "close")
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = fmt.Fprintf(w, `{"error":"too many requests are being received at once; retry in %d s"}`+"\n", secs)
}

// guardedBody releases the request's slot when the body ends (all read,
// or reading failed) and turns a deadline error into a BodyTimeoutError.
type guardedBody struct {
	io.ReadCloser
	w       http.ResponseWriter
	limit   time.Duration
	release func() // nil: the request holds no slot
	ended   bool
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == nil {
		return n, nil
	}
	timedOut := errors.Is(err, os.ErrDeadlineExceeded)
	if timedOut {
		err = &BodyTimeoutError{Limit: b.limit}
	}
	if timedOut && !b.ended {
		metrics.GuardRefusals.WithLabelValues(refusedBodyTimeout).Inc()
		// The rest of the body is still on the wire, so the connection
		// cannot carry another request.
		b.w.Header().Set("Connection", "close")
	}
	b.end()
	return n, err
}

func (b *guardedBody) Close() error {
	b.end()
	return b.ReadCloser.Close()
}

func (b *guardedBody) end() {
	if b.ended {
		return
	}
	b.ended = true
	if b.release != nil {
		b.release()
	}
}
