package connectors

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHTTPClientGoesThroughClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo", r.Header.Get("X-In"))
		if r.URL.Path == "/big" {
			w.Write([]byte(strings.Repeat("x", 200)))
			return
		}
		w.WriteHeader(http.StatusTeapot)
		w.Write(body)
	}))
	defer srv.Close()
	c := MustNewClient(ClientConfig{MaxResponseBytes: 100, Timeout: time.Second, AllowHTTP: []string{"127.0.0.1"}})
	hc := c.WithCheck(func(*HTTPResponse) error { return errors.New("check must not run") }).HTTPClient()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/x", strings.NewReader("hello"))
	req.Header.Set("X-In", "v")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTeapot || string(got) != "hello" || resp.Header.Get("X-Echo") != "v" {
		t.Fatalf("response = %d %q %q", resp.StatusCode, got, resp.Header.Get("X-Echo"))
	}
	// The size cap still applies, and its error keeps its class.
	_, err = hc.Get(srv.URL + "/big")
	if err == nil || ClassOf(err) != ClassPermanent || !strings.Contains(err.Error(), "exceeds the 100 byte limit") {
		t.Fatalf("oversized response: err = %v (%s)", err, ClassOf(err))
	}
	// A dead server is a retryable transport failure.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, err := hc.Get(dead.URL); err == nil || ClassOf(err) != ClassRetryable {
		t.Fatalf("dead server: err = %v (%s)", err, ClassOf(err))
	}
}
