package connectors

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkClientOverhead compares one GET of a small JSON body through the
// shared client (classification, size cap, guard off) with the same GET
// through a plain net/http client on loopback.
func BenchmarkClientOverhead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"cus_123","object":"customer","email":"a@example.com"}`)
	}))
	defer srv.Close()
	ctx := context.Background()

	b.Run("shared_client", func(b *testing.B) {
		c := MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP})
		defer c.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Do(ctx, &HTTPRequest{URL: srv.URL}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("shared_client_guarded", func(b *testing.B) {
		c := MustNewClient(ClientConfig{Guard: true, Allow: []string{"127.0.0.1"}})
		defer c.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Do(ctx, &HTTPRequest{URL: srv.URL}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw_net_http", func(b *testing.B) {
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: DefaultMaxIdleConnsPerHost}}
		defer c.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadAll(resp.Body); err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
	})
}
