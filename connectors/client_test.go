package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
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

func TestGuardBlocksByDefault(t *testing.T) {
	srv := okServer(t)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	c := MustNewClient(ClientConfig{Guard: true, Timeout: 2 * time.Second})
	tests := []struct {
		name, url, reason string
	}{
		{name: "loopback literal", url: srv.URL, reason: "loopback"},
		{name: "loopback by DNS name", url: "http://localhost:" + port + "/", reason: "loopback"},
		{name: "metadata", url: "http://169.254.169.254/latest/meta-data/", reason: "link-local"},
		{name: "private 10/8", url: "http://10.1.2.3/", reason: "private"},
		{name: "private 192.168", url: "http://192.168.0.1/", reason: "private"},
		{name: "cgnat", url: "http://100.64.0.1/", reason: "CGNAT"},
		{name: "unspecified", url: "http://0.0.0.0:" + port + "/", reason: "unspecified"},
		{name: "ipv6 loopback", url: "http://[::1]:" + port + "/", reason: "loopback"},
		{name: "ipv4-mapped ipv6 loopback", url: "http://[::ffff:127.0.0.1]:" + port + "/", reason: "loopback"},
		{name: "ipv6 unique local", url: "http://[fd00::1]/", reason: "private"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Do(context.Background(), &HTTPRequest{URL: tc.url})
			var blocked *BlockedError
			if !errors.As(err, &blocked) {
				t.Fatalf("err = %v, want *BlockedError", err)
			}
			if !strings.Contains(blocked.Reason, tc.reason) || ClassOf(err) != ClassPermanent {
				t.Fatalf("err = %v (class %s), want permanent %q", err, ClassOf(err), tc.reason)
			}
		})
	}
}

func TestGuardAllowlist(t *testing.T) {
	srv := okServer(t)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	tests := []struct {
		name, allow, url string
	}{
		{name: "cidr", allow: "127.0.0.0/8", url: srv.URL},
		{name: "single ip", allow: "127.0.0.1", url: srv.URL},
		{name: "host name", allow: "localhost", url: "http://localhost:" + port + "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := MustNewClient(ClientConfig{Guard: true, Allow: []string{tc.allow}})
			resp, err := c.Do(context.Background(), &HTTPRequest{URL: tc.url})
			if err != nil || resp.Status != 200 {
				t.Fatalf("allowlisted request failed: %v", err)
			}
		})
	}
	if _, err := NewClient(ClientConfig{Guard: true, Allow: []string{"not a/cidr"}}); err == nil {
		t.Fatal("bad allowlist entry accepted")
	}
}

func TestGuardRefusesRedirectToBlockedAddress(t *testing.T) {
	internal := okServer(t) // stands for an internal service on loopback
	internalPort := internal.URL[strings.LastIndex(internal.URL, ":")+1:]
	tests := []struct{ name, target string }{
		{name: "literal ip", target: internal.URL + "/admin"},
		{name: "dns name", target: "http://localhost:" + internalPort + "/admin"},
		{name: "metadata", target: "http://169.254.169.254/latest/meta-data/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The public-looking server is reached through an allowlisted
			// host name; its redirect target is not allowlisted.
			public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tc.target, http.StatusFound)
			}))
			defer public.Close()
			u, _ := url.Parse(public.URL)
			addr := netip.MustParseAddrPort(u.Host)
			// Allow exactly the public server's address via a host alias that resolves to it.
			c := MustNewClient(ClientConfig{Guard: true, Allow: []string{"public.test"}})
			c.hc.Transport.(*http.Transport).DialContext = aliasDial(c.guard, "public.test", addr.String())
			_, err := c.Do(context.Background(), &HTTPRequest{URL: "http://public.test:" + fmt.Sprint(addr.Port()) + "/start"})
			var blocked *BlockedError
			if !errors.As(err, &blocked) {
				t.Fatalf("redirect to %s: err = %v, want *BlockedError", tc.target, err)
			}
		})
	}
}

// aliasDial makes host name alias resolve to addr, standing in for public
// DNS, while every other name goes through the guard as usual.
func aliasDial(g *Guard, alias, addr string) func(ctx context.Context, network, address string) (net.Conn, error) {
	dial := g.DialContext(testDialer())
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if strings.HasPrefix(address, alias+":") {
			return testDialer().DialContext(ctx, network, addr)
		}
		return dial(ctx, network, address)
	}
}

func TestRedirectLimit(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/again", http.StatusFound)
	}))
	defer srv.Close()
	c := MustNewClient(ClientConfig{})
	_, err := c.Do(context.Background(), &HTTPRequest{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Fatalf("err = %v", err)
	}
}

func TestClientErrorsNeverCarryThePath(t *testing.T) {
	c := MustNewClient(ClientConfig{Timeout: 200 * time.Millisecond})
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
	c := MustNewClient(ClientConfig{Timeout: 100 * time.Millisecond})
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
	c := MustNewClient(ClientConfig{MaxResponseBytes: 1024})
	_, err := c.Do(context.Background(), &HTTPRequest{URL: srv.URL})
	if ClassOf(err) != ClassPermanent || !strings.Contains(err.Error(), "exceeds the 1024 byte limit") {
		t.Fatalf("err = %v", err)
	}
	c = MustNewClient(ClientConfig{MaxResponseBytes: 2048})
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
	c := MustNewClient(ClientConfig{})
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
	base := MustNewClient(ClientConfig{})
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
	_, err := MustNewClient(ClientConfig{}).Do(context.Background(), &HTTPRequest{URL: srv.URL})
	if ClassOf(err) != ClassRateLimited || RetryAfterOf(err) != 7*time.Second {
		t.Fatalf("err = %v", err)
	}
	resp, err := MustNewClient(ClientConfig{}).Do(context.Background(), &HTTPRequest{URL: srv.URL, IgnoreStatus: true})
	if err != nil || resp.Status != 429 {
		t.Fatalf("IgnoreStatus: %v", err)
	}
}

func testDialer() *net.Dialer { return &net.Dialer{Timeout: 2 * time.Second} }
