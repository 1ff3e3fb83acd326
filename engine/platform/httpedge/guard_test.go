package httpedge_test

import (
	"github.com/hookflow/hookflow/engine/platform/httpedge/edgetest"

	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/platform/httpedge"
)

// testBodyTimeout is the body deadline of these tests: short, so a slow
// client is seen cut off quickly; the tests never assert how quickly.
const testBodyTimeout = 300 * time.Millisecond

// giveUp bounds every wait of these tests. Reaching it means the behaviour
// under test did not happen at all.
const giveUp = 10 * time.Second

// echo reads the whole body and answers 200 with it, or 400 with the
// reading error, as the webhook handler does.
func echo(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	_, _ = w.Write(b)
}

func TestSlowBodyGetsConnectionClosed(t *testing.T) {
	srv := httptest.NewServer(httpedge.Guard(http.HandlerFunc(echo), httpedge.GuardConfig{BodyTimeout: testBodyTimeout}))
	defer srv.Close()
	before := testutil.ToFloat64(metrics.GuardRefusals.WithLabelValues("body_timeout"))

	stop := make(chan struct{})
	defer close(stop)
	// One byte every 50 ms would take 50 s for the whole body: without a
	// body deadline the connection stays open for all of it.
	conn := edgetest.Dribble(t, srv.Listener.Addr().String(), "/hooks/tok", 50*time.Millisecond, stop)
	defer conn.Close()
	if err := conn.SetReadDeadline(time.Now().Add(giveUp)); err != nil {
		t.Fatal(err)
	}
	// ReadAll returns when the server closes the connection: at EOF, or
	// with a reset when a dribbled byte reached the closed socket.
	reply, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept the slow connection open; read so far: %q", reply)
	}
	if !strings.HasPrefix(string(reply), "HTTP/1.1 400") ||
		!strings.Contains(string(reply), "reading request body: the request body was not received within 300ms") {
		t.Errorf("reply = %q, want 400 naming the body deadline", reply)
	}
	if got := testutil.ToFloat64(metrics.GuardRefusals.WithLabelValues("body_timeout")) - before; got != 1 {
		t.Errorf("body_timeout refusals counted %v, want 1", got)
	}
}

// TestUnreadSlowBodyIsNotWaitedFor covers a handler that answers without
// reading the body, as the webhook pipeline does for an unknown token:
// net/http would drain the rest of a small body to keep the connection,
// waiting on a slow sender until the body deadline.
func TestUnreadSlowBodyIsNotWaitedFor(t *testing.T) {
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no webhook endpoint at this URL", http.StatusNotFound)
	})
	srv := httptest.NewServer(httpedge.Guard(notFound, httpedge.GuardConfig{BodyTimeout: giveUp}))
	defer srv.Close()
	t.Run("a slow sender is hung up on", func(t *testing.T) {
		stop := make(chan struct{})
		defer close(stop)
		conn := edgetest.Dribble(t, srv.Listener.Addr().String(), "/hooks/unknown", 50*time.Millisecond, stop)
		defer conn.Close()
		if err := conn.SetReadDeadline(time.Now().Add(giveUp / 2)); err != nil {
			t.Fatal(err)
		}
		reply, err := io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the connection was kept open to drain the body; read so far: %q", reply)
		}
		if !strings.HasPrefix(string(reply), "HTTP/1.1 404") {
			t.Errorf("reply = %q, want 404", reply)
		}
	})
	t.Run("a complete body keeps the connection", func(t *testing.T) {
		client := &http.Client{Timeout: giveUp, Transport: &http.Transport{}}
		for i := range 2 {
			reused := false
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
				http.MethodPost, srv.URL+"/hooks/unknown", strings.NewReader(`{"n":1}`))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || resp.Close || reused != (i == 1) {
				t.Errorf("request %d: status %d, close %v, reused connection %v; want 404, the second on the first's connection",
					i, resp.StatusCode, resp.Close, reused)
			}
		}
	})
}

func TestSlowBodyOverHTTP2GetsStreamCut(t *testing.T) {
	srv := httptest.NewUnstartedServer(httpedge.Guard(http.HandlerFunc(echo), httpedge.GuardConfig{BodyTimeout: testBodyTimeout}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	client := srv.Client()

	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		for {
			if _, err := pw.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), giveUp)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/hooks/tok", pr)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("slow HTTP/2 body: %v (the stream was never answered)", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.ProtoMajor != 2 {
		t.Fatalf("served over %s, want HTTP/2", resp.Proto)
	}
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "not received within 300ms") {
		t.Errorf("reply = %d %q, want 400 naming the body deadline", resp.StatusCode, b)
	}
}

// TestBodyDeadlineLeavesWaitsAlone covers what a whole-request read
// timeout would break: a long poll without a body, and a synchronous
// webhook reply that waits after its body has arrived. Both outlast the
// body deadline and must be neither cut nor cancelled.
func TestBodyDeadlineLeavesWaitsAlone(t *testing.T) {
	wait := 3 * testBodyTimeout
	slow := func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		select {
		case <-time.After(wait):
			fmt.Fprintf(w, "waited, body %q", b)
		case <-r.Context().Done():
			// The client is still there; only a deadline left on the
			// connection cancels the context here.
			http.Error(w, "request context cancelled while waiting", http.StatusInternalServerError)
		}
	}
	srv := httptest.NewServer(httpedge.Guard(http.HandlerFunc(slow), httpedge.GuardConfig{BodyTimeout: testBodyTimeout, MaxInFlight: 4}))
	defer srv.Close()
	tests := []struct {
		name   string
		method string
		body   string
		want   string
	}{
		{name: "long poll without a body", method: http.MethodGet, want: `waited, body ""`},
		{name: "synchronous reply after the body", method: http.MethodPost, body: `{"id":1}`, want: `waited, body "{\"id\":1}"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+"/hooks/tok", strings.NewReader(tc.body))
			if tc.body == "" {
				req.Body = nil
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(b) != tc.want {
				t.Errorf("reply = %d %q, want 200 %q", resp.StatusCode, b, tc.want)
			}
		})
	}
}

func TestInFlightCapAnswers503(t *testing.T) {
	const limit = 2
	entered := make(chan string, 8)
	waitEntered := func(t *testing.T) {
		t.Helper()
		select {
		case <-entered:
		case <-time.After(giveUp):
			t.Fatal("a request never reached the handler")
		}
	}
	hold := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- r.URL.Path
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/hooks/sync" {
			<-hold // a synchronous reply waiting for its run
		}
		_, _ = w.Write(b)
	})
	isHook := func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/hooks/") }
	// The body deadline is long here: these slow clients must still be
	// sending when the cap is checked.
	srv := httptest.NewServer(httpedge.Guard(handler, httpedge.GuardConfig{BodyTimeout: giveUp, MaxInFlight: limit, Limited: isHook,
		Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()
	defer close(hold)
	addr := srv.Listener.Addr().String()
	post := func(path, body string) (*http.Response, string) {
		t.Helper()
		// A fresh connection per request: a refused one is closed.
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: giveUp}
		resp, err := client.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	stop := make(chan struct{})
	defer close(stop)
	slow := make([]net.Conn, limit)
	for i := range slow {
		slow[i] = edgetest.Dribble(t, addr, "/hooks/slow", time.Second, stop)
		waitEntered(t)
	}
	// Hang up before the server closes, which waits for active requests.
	defer func() {
		for _, c := range slow {
			c.Close()
		}
	}()
	before := testutil.ToFloat64(metrics.GuardRefusals.WithLabelValues("busy"))

	t.Run("a webhook over the cap is refused at once", func(t *testing.T) {
		resp, body := post("/hooks/tok", `{"a":1}`)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" ||
			!strings.Contains(body, "too many requests are being received at once") {
			t.Errorf("reply = %d Retry-After %q %q, want 503 with Retry-After 1", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		if !resp.Close {
			t.Error("a refused request's connection is kept open, want it closed")
		}
		if got := testutil.ToFloat64(metrics.GuardRefusals.WithLabelValues("busy")) - before; got != 1 {
			t.Errorf("busy refusals counted %v, want 1", got)
		}
	})
	t.Run("a slow sender over the cap is refused and hung up on", func(t *testing.T) {
		conn := edgetest.Dribble(t, addr, "/hooks/third", 50*time.Millisecond, stop)
		defer conn.Close()
		if err := conn.SetReadDeadline(time.Now().Add(giveUp)); err != nil {
			t.Fatal(err)
		}
		reply, err := io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the refused connection was kept open; read so far: %q", reply)
		}
		if !strings.HasPrefix(string(reply), "HTTP/1.1 503") {
			t.Errorf("reply = %q, want 503", reply)
		}
	})
	t.Run("other routes are not capped", func(t *testing.T) {
		if resp, body := post("/api/v1/echo", "api"); resp.StatusCode != http.StatusOK || body != "api" {
			t.Errorf("reply = %d %q, want 200", resp.StatusCode, body)
		}
		waitEntered(t)
	})
	t.Run("a finished body frees its slot", func(t *testing.T) {
		// Abandon one slow client: the server's read fails and the slot
		// is released.
		slow[0].Close()
		var resp *http.Response
		var body string
		for deadline := time.Now().Add(giveUp); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if resp, body = post("/hooks/tok", "again"); resp.StatusCode != http.StatusServiceUnavailable {
				break
			}
		}
		if resp.StatusCode != http.StatusOK || body != "again" {
			t.Fatalf("reply = %d %q after a slot was freed, want 200", resp.StatusCode, body)
		}
		waitEntered(t)
	})
	t.Run("a reply waiting after its body holds no slot", func(t *testing.T) {
		done := make(chan int, limit)
		for range limit {
			go func() {
				client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				resp, err := client.Post(srv.URL+"/hooks/sync", "application/json", strings.NewReader("{}"))
				if err != nil {
					done <- 0
					return
				}
				resp.Body.Close()
				done <- resp.StatusCode
			}()
			waitEntered(t)
		}
		// One slow client still sends and two replies wait: with a cap
		// of two, a new delivery still gets in once the waiting bodies
		// are read.
		var resp *http.Response
		var body string
		for deadline := time.Now().Add(giveUp); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if resp, body = post("/hooks/tok", "more"); resp.StatusCode != http.StatusServiceUnavailable {
				break
			}
		}
		if resp.StatusCode != http.StatusOK || body != "more" {
			t.Fatalf("reply = %d %q while replies wait, want 200", resp.StatusCode, body)
		}
		waitEntered(t)
		hold <- struct{}{}
		hold <- struct{}{}
		for range limit {
			if code := <-done; code != http.StatusOK {
				t.Errorf("waiting reply = %d, want 200", code)
			}
		}
	})
}

func TestBodyTimeoutErrorUnwraps(t *testing.T) {
	err := fmt.Errorf("reading body: %w", &httpedge.BodyTimeoutError{Limit: time.Second})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("%v does not unwrap to os.ErrDeadlineExceeded", err)
	}
}
