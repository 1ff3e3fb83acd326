package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func okServer(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestRedirectLimit(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/again", http.StatusFound)
	}))
	defer srv.Close()
	c := MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP})
	_, err := c.Do(context.Background(), &HTTPRequest{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Fatalf("err = %v", err)
	}
}

func TestClientErrorsNeverCarryThePath(t *testing.T) {
	c := MustNewClient(ClientConfig{Timeout: 200 * time.Millisecond, AllowHTTP: loopbackHTTP})
	// Port 1 on loopback refuses connections.
	_, err := c.Do(context.Background(), &HTTPRequest{Method: "POST", URL: "http://127.0.0.1:1/bot123456:SECRET-TOKEN/sendMessage"})
	if err == nil || ClassOf(err) != ClassRetryable {
		t.Fatalf("err = %v, want retryable", err)
	}
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "SECRET-TOKEN") {
			t.Fatalf("error leaks the URL path: %q", e.Error())
		}
	}
	if !strings.Contains(err.Error(), "POST 127.0.0.1:1") {
		t.Fatalf("error %q does not name method and host", err)
	}
}

func TestTimeoutIsRetryable(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := MustNewClient(ClientConfig{Timeout: 100 * time.Millisecond, AllowHTTP: loopbackHTTP})
	_, err := c.Do(context.Background(), &HTTPRequest{URL: srv.URL})
	if ClassOf(err) != ClassRetryable || !strings.Contains(err.Error(), "timed out after 100ms") {
		t.Fatalf("err = %v", err)
	}
}

func TestResponseSizeCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 2048)))
	}))
	defer srv.Close()
	c := MustNewClient(ClientConfig{MaxResponseBytes: 1024, AllowHTTP: loopbackHTTP})
	_, err := c.Do(context.Background(), &HTTPRequest{URL: srv.URL})
	if ClassOf(err) != ClassPermanent || !strings.Contains(err.Error(), "exceeds the 1024 byte limit") {
		t.Fatalf("err = %v", err)
	}
	c = MustNewClient(ClientConfig{MaxResponseBytes: 2048, AllowHTTP: loopbackHTTP})
	if resp, err := c.Do(context.Background(), &HTTPRequest{URL: srv.URL}); err != nil || len(resp.Body) != 2048 {
		t.Fatalf("body at the limit refused: %v", err)
	}
}

func TestDoJSONAndForm(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ct":%q,"body":%q,"ua":%q,"key":%q}`, r.Header.Get("Content-Type"), b, r.Header.Get("User-Agent"), r.Header.Get("Idempotency-Key"))
	}))
	defer srv.Close()
	c := MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP})
	var out struct{ CT, Body, UA, Key string }
	_, err := c.DoJSON(context.Background(), "POST", srv.URL, http.Header{"Idempotency-Key": {"k1"}}, map[string]any{"a": 1}, &out)
	if err != nil || out.CT != "application/json" || out.Body != `{"a":1}` || out.UA != DefaultUserAgent || out.Key != "k1" {
		t.Fatalf("DoJSON: %v %+v", err, out)
	}
	_, err = c.DoForm(context.Background(), "POST", srv.URL, nil, url.Values{"To": {"+1555"}}, &out)
	if err != nil || out.CT != "application/x-www-form-urlencoded" || out.Body != "To=%2B1555" {
		t.Fatalf("DoForm: %v %+v", err, out)
	}
}

func TestWithCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":false,"error":"channel_not_found"}`)
	}))
	defer srv.Close()
	slackOK := func(resp *HTTPResponse) error {
		if resp.Status == 200 && !resp.Get("ok").Bool() {
			return NewError(ClassPermanent, resp.Status, resp.Get("error").String())
		}
		return nil
	}
	base := MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP})
	if _, err := base.DoJSON(context.Background(), "POST", srv.URL, nil, nil, nil); err != nil {
		t.Fatalf("plain client: %v", err)
	}
	_, err := base.WithCheck(slackOK).DoJSON(context.Background(), "POST", srv.URL, nil, nil, nil)
	if ClassOf(err) != ClassPermanent || !strings.Contains(err.Error(), "channel_not_found") {
		t.Fatalf("err = %v", err)
	}
}

func TestClassifiedStatusThroughDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	_, err := MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP}).Do(context.Background(), &HTTPRequest{URL: srv.URL})
	if ClassOf(err) != ClassRateLimited || RetryAfterOf(err) != 7*time.Second {
		t.Fatalf("err = %v", err)
	}
	resp, err := MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP}).Do(context.Background(), &HTTPRequest{URL: srv.URL, IgnoreStatus: true})
	if err != nil || resp.Status != 429 {
		t.Fatalf("IgnoreStatus: %v", err)
	}
}

// loopbackHTTP lets test clients call their httptest servers over plain
// http, as an admin's --allow-http would.
var loopbackHTTP = []string{"127.0.0.1"}
