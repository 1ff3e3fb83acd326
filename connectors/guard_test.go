package connectors

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testSecret stands for a credential the guarded client must never deliver
// to an internal address.
const testSecret = "sk_live_guardtestsecret"

// internalService is a loopback service that user-typed URLs must never
// reach: one handler on 127.0.0.1 and on ::1, counting every request that
// arrives and whether it carried the credential.
type internalService struct {
	v4, v6   *httptest.Server
	port4    string
	port6    string
	hits     atomic.Int32
	credSeen atomic.Int32
}

func newInternalService(t *testing.T) *internalService {
	t.Helper()
	s := &internalService{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if strings.Contains(r.Header.Get("Authorization"), testSecret) || r.Header.Get("X-Api-Key") == testSecret {
			s.credSeen.Add(1)
		}
		w.Write([]byte("internal data"))
	})
	s.v4 = listenOn(t, "127.0.0.1:0", h)
	s.v6 = listenOn(t, "[::1]:0", h)
	s.port4 = portOf(s.v4)
	s.port6 = portOf(s.v6)
	return s
}

func listenOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func portOf(s *httptest.Server) string {
	u, _ := url.Parse(s.URL)
	return u.Port()
}

// hostsFileLoopbackName returns a name other than localhost that
// /etc/hosts maps to a loopback address, so the test covers a name that
// resolves inside without DNS. Machines whose hosts file has none get
// "localhost", which is itself an /etc/hosts name there.
func hostsFileLoopbackName(t *testing.T) string {
	t.Helper()
	f, err := os.Open("/etc/hosts")
	if err != nil {
		t.Fatalf("opening /etc/hosts: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		addr, err := netip.ParseAddr(fields[0])
		if err != nil || !addr.Is4() || !addr.IsLoopback() {
			continue
		}
		for _, name := range fields[1:] {
			if name != "localhost" && !strings.HasPrefix(name, "localhost.") {
				return name
			}
		}
	}
	t.Log("/etc/hosts maps no name but localhost to loopback; using localhost")
	return "localhost"
}

// blockedForm is one way of writing an internal destination.
type blockedForm struct {
	name, url, reason string
}

// blockedForms lists every spelling of an internal address the guard must
// refuse, aimed at svc where a live listener makes a bypass observable.
func blockedForms(t *testing.T, svc *internalService) []blockedForm {
	p4, p6 := svc.port4, svc.port6
	return []blockedForm{
		{name: "loopback", url: "http://127.0.0.1:" + p4 + "/", reason: "loopback"},
		{name: "loopback_other", url: "http://127.9.9.9:" + p4 + "/", reason: "loopback"},
		{name: "cloud_metadata", url: "http://169.254.169.254/latest/meta-data/", reason: "link-local (cloud metadata)"},
		{name: "ipv6_loopback", url: "http://[::1]:" + p6 + "/", reason: "loopback"},
		{name: "unspecified_v4", url: "http://0.0.0.0:" + p4 + "/", reason: "unspecified"},
		{name: "unspecified_v6", url: "http://[::]:" + p6 + "/", reason: "unspecified"},
		{name: "ipv4_mapped_dotted", url: "http://[::ffff:127.0.0.1]:" + p4 + "/", reason: "loopback"},
		{name: "ipv4_mapped_hex", url: "http://[::ffff:7f00:1]:" + p4 + "/", reason: "loopback"},
		{name: "localhost", url: "http://localhost:" + p4 + "/", reason: "loopback"},
		{name: "hosts_file_name", url: "http://" + hostsFileLoopbackName(t) + ":" + p4 + "/", reason: "loopback"},
		{name: "userinfo", url: "http://user:pass@127.0.0.1:" + p4 + "/", reason: "loopback"},
		{name: "userinfo_lookalike", url: "http://example.com@127.0.0.1:" + p4 + "/", reason: "loopback"},
		{name: "decimal_ipv4", url: "http://2130706433:" + p4 + "/", reason: "non-standard"},
		{name: "hex_ipv4", url: "http://0x7f000001:" + p4 + "/", reason: "non-standard"},
		{name: "octal_ipv4", url: "http://0177.0.0.1:" + p4 + "/", reason: "non-standard"},
		{name: "short_ipv4", url: "http://127.1:" + p4 + "/", reason: "non-standard"},
		{name: "mixed_hex_ipv4", url: "http://0x7f.1:" + p4 + "/", reason: "non-standard"},
		{name: "zoned_loopback_name", url: "http://[::1%25lo]:" + p6 + "/", reason: "loopback"},
		{name: "zoned_loopback_index", url: "http://[::1%251]:" + p6 + "/", reason: "loopback"},
		{name: "zoned_link_local", url: "http://[fe80::1%25lo]:" + p6 + "/", reason: "link-local"},
		{name: "zoned_unique_local", url: "http://[fd00::1%251]:" + p6 + "/", reason: "private"},
		{name: "zoned_fc00", url: "http://[fc00::1%25lo]:" + p6 + "/", reason: "private"},
		{name: "private_10", url: "http://10.1.2.3/", reason: "private"},
		{name: "private_192_168", url: "http://192.168.0.1/", reason: "private"},
		{name: "cgnat", url: "http://100.64.0.1/", reason: "CGNAT"},
		{name: "nat64_loopback", url: "http://[64:ff9b::7f00:1]/", reason: "NAT64"},
	}
}

// credentialRequest carries a credential the way an http step sends one.
func credentialRequest(u string) *HTTPRequest {
	return &HTTPRequest{URL: u, Header: http.Header{
		"Authorization": {"Bearer " + testSecret},
		"X-Api-Key":     {testSecret},
	}, SecretHeaders: []string{"X-Api-Key"}}
}

func assertBlocked(t *testing.T, err error, reason string) {
	t.Helper()
	var blocked *BlockedError
	if !errors.As(err, &blocked) {
		t.Fatalf("err = %v, want *BlockedError", err)
	}
	if !strings.Contains(blocked.Reason, reason) || ClassOf(err) != ClassPermanent {
		t.Fatalf("err = %v (class %s), want permanent %q", err, ClassOf(err), reason)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Fatalf("error leaks the credential: %v", err)
	}
}

func TestGuardBlocksEveryFormOfInternalAddress(t *testing.T) {
	svc := newInternalService(t)
	// Plain http is allowed everywhere here so that only the guard decides.
	c := MustNewClient(ClientConfig{Guard: true, AllowHTTP: []string{"*"}, Timeout: 2 * time.Second})
	for _, tc := range blockedForms(t, svc) {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Do(context.Background(), credentialRequest(tc.url))
			assertBlocked(t, err, tc.reason)
		})
	}
	if n := svc.hits.Load(); n > 0 {
		t.Fatalf("the internal service was reached %d times (%d with the credential)", n, svc.credSeen.Load())
	}
}

func TestGuardBlocksEveryFormThroughARedirect(t *testing.T) {
	svc := newInternalService(t)
	// The allowed host stands for a public server an admin allowed; it
	// listens on 127.0.0.2 so that allowing it leaves 127.0.0.1 and ::1
	// refused. It redirects wherever ?to= says.
	var redirectorSawCredential atomic.Int32
	redirector := listenOn(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") == testSecret {
			redirectorSawCredential.Add(1)
		}
		if r.URL.Path == "/ok" {
			w.Write([]byte("ok"))
			return
		}
		w.Header().Set("Location", r.URL.Query().Get("to"))
		w.WriteHeader(http.StatusFound)
	}))
	c := MustNewClient(ClientConfig{Guard: true, Allow: []string{"127.0.0.2"}, AllowHTTP: []string{"*"}, Timeout: 2 * time.Second})
	start := func(to string) string { return redirector.URL + "/start?to=" + url.QueryEscape(to) }

	// The redirect itself works: a redirect to the allowed host succeeds.
	resp, err := c.Do(context.Background(), credentialRequest(start(redirector.URL+"/ok")))
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("redirect within the allowed host failed: %v", err)
	}
	for _, tc := range blockedForms(t, svc) {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Do(context.Background(), credentialRequest(start(tc.url)))
			assertBlocked(t, err, tc.reason)
		})
	}
	if n := svc.hits.Load(); n > 0 {
		t.Fatalf("a redirect reached the internal service %d times (%d with the credential)", n, svc.credSeen.Load())
	}
	if redirectorSawCredential.Load() == 0 {
		t.Fatal("the allowed host never saw the credential; the test would miss a leak")
	}
}

func TestCheckAddrDropsZonesAndMapping(t *testing.T) {
	g, err := NewGuard(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, addr, reason string
	}{
		{name: "zoned_loopback", addr: "::1%lo", reason: "loopback"},
		{name: "zoned_loopback_index", addr: "::1%1", reason: "loopback"},
		{name: "zoned_link_local", addr: "fe80::1%eth0", reason: "link-local"},
		{name: "zoned_unique_local", addr: "fc00::1%2", reason: "private"},
		{name: "zoned_mapped_loopback", addr: "::ffff:127.0.0.1%lo", reason: "loopback"},
		{name: "mapped_metadata", addr: "::ffff:169.254.169.254", reason: "link-local (cloud metadata)"},
		{name: "documentation_v4", addr: "192.0.2.10", reason: "special-purpose"},
		{name: "documentation_v6", addr: "2001:db8::1", reason: "special-purpose"},
		{name: "six_to_four", addr: "2002:7f00:1::", reason: "special-purpose"},
		{name: "multicast_v6", addr: "ff02::1", reason: "multicast"},
		{name: "public_v4", addr: "93.184.216.34"},
		{name: "public_v6", addr: "2606:4700:4700::1111"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := g.CheckAddr("", netip.MustParseAddr(tc.addr))
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("public address refused: %v", err)
				}
				return
			}
			var blocked *BlockedError
			if !errors.As(err, &blocked) || !strings.Contains(blocked.Reason, tc.reason) {
				t.Fatalf("err = %v, want *BlockedError for %q", err, tc.reason)
			}
		})
	}
}

func TestNumericIPv4(t *testing.T) {
	tests := []struct {
		name, host string
		want       bool
	}{
		{name: "decimal", host: "2130706433", want: true},
		{name: "hex", host: "0x7f000001", want: true},
		{name: "hex_upper", host: "0X7F000001", want: true},
		{name: "octal", host: "0177.0.0.1", want: true},
		{name: "short", host: "127.1", want: true},
		{name: "trailing_dot", host: "127.0.0.1.", want: true},
		{name: "name", host: "api.example.com", want: false},
		{name: "name_with_digits", host: "123.example.com", want: false},
		{name: "hex_looking_label", host: "cafe.0xbeef.io", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := numericIPv4(tc.host); got != tc.want {
				t.Fatalf("numericIPv4(%q) = %v, want %v", tc.host, got, tc.want)
			}
		})
	}
}

func TestGuardAllowlist(t *testing.T) {
	srv := okServer(t)
	port := portOf(srv)
	tests := []struct {
		name, allow, url string
	}{
		{name: "cidr", allow: "127.0.0.0/8", url: srv.URL},
		{name: "single_ip", allow: "127.0.0.1", url: srv.URL},
		{name: "host_name", allow: "localhost", url: "http://localhost:" + port + "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// No AllowHTTP: what the SSRF allowlist names may be called over
			// plain http too.
			c := MustNewClient(ClientConfig{Guard: true, Allow: []string{tc.allow}})
			resp, err := c.Do(context.Background(), &HTTPRequest{URL: tc.url})
			if err != nil || resp.Status != 200 {
				t.Fatalf("allowlisted request failed: %v", err)
			}
		})
	}
	for _, bad := range []string{"not a/cidr", "*", "hooks.internal:8080"} {
		if _, err := NewClient(ClientConfig{Guard: true, Allow: []string{bad}}); err == nil {
			t.Errorf("bad allowlist entry %q accepted", bad)
		}
	}
}

func TestPlainHTTPIsRefusedUnlessAllowed(t *testing.T) {
	var hits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("ok"))
	}))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			w.Write([]byte("ok"))
			return
		}
		http.Redirect(w, r, plain.URL+"/downgraded", http.StatusFound)
	}))
	defer secure.Close()
	trust := func(c *Client) *Client {
		c.hc.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: secure.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
		return c
	}
	tests := []struct {
		name      string
		cfg       ClientConfig
		url       string
		wantError bool
	}{
		{name: "http_refused_by_default", url: plain.URL, wantError: true},
		{name: "https_allowed", url: secure.URL + "/ok"},
		{name: "redirect_to_http_refused", url: secure.URL + "/start", wantError: true},
		{name: "http_allowed_by_host", cfg: ClientConfig{AllowHTTP: []string{"127.0.0.1"}}, url: plain.URL},
		{name: "http_allowed_by_cidr", cfg: ClientConfig{AllowHTTP: []string{"127.0.0.0/8"}}, url: plain.URL},
		{name: "http_allowed_by_wildcard", cfg: ClientConfig{AllowHTTP: []string{"*"}}, url: plain.URL},
		{name: "redirect_to_allowed_http", cfg: ClientConfig{AllowHTTP: []string{"127.0.0.1"}}, url: secure.URL + "/start"},
		{name: "other_host_still_refused", cfg: ClientConfig{AllowHTTP: []string{"hooks.internal"}}, url: plain.URL, wantError: true},
		{name: "guarded_too", cfg: ClientConfig{Guard: true, Allow: []string{"10.0.0.0/8"}}, url: plain.URL, wantError: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			c := trust(MustNewClient(tc.cfg))
			_, err := c.Do(context.Background(), &HTTPRequest{URL: tc.url})
			if !tc.wantError {
				if err != nil {
					t.Fatalf("allowed request failed: %v", err)
				}
				return
			}
			var plainErr *PlainHTTPError
			if !errors.As(err, &plainErr) || ClassOf(err) != ClassPermanent {
				t.Fatalf("err = %v (class %s), want a permanent *PlainHTTPError", err, ClassOf(err))
			}
			if !strings.Contains(err.Error(), "plain http:// to 127.0.0.1 is not allowed; use https:// or ask an admin to allow it with --allow-http") {
				t.Errorf("error %q does not say what to do", err)
			}
			if hits.Load() != before {
				t.Error("the plain-http server was called")
			}
		})
	}
}

func TestSecretHeadersStayWithTheirHost(t *testing.T) {
	type seen struct{ apiKey, auth, trace string }
	var mu sync.Mutex
	got := map[string]seen{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[name] = seen{r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"), r.Header.Get("X-Trace")}
			mu.Unlock()
			if to := r.URL.Query().Get("to"); to != "" {
				http.Redirect(w, r, to, http.StatusFound)
				return
			}
			w.Write([]byte("ok"))
		}
	}
	other := listenOn(t, "127.0.0.3:0", record("other"))
	origin := listenOn(t, "127.0.0.2:0", record("origin"))
	c := MustNewClient(ClientConfig{Guard: true, Allow: []string{"127.0.0.2", "127.0.0.3"}})
	tests := []struct {
		name, to, where string
		keep            bool
	}{
		{name: "same_host_keeps_them", to: origin.URL + "/next", where: "origin", keep: true},
		{name: "other_host_drops_them", to: other.URL + "/next", where: "other", keep: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := credentialRequest(origin.URL + "/start?to=" + url.QueryEscape(tc.to))
			req.Header.Set("X-Trace", "t1")
			if _, err := c.Do(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			s := got[tc.where]
			mu.Unlock()
			if s.trace != "t1" {
				t.Fatalf("ordinary header lost on the redirect: %+v", s)
			}
			if kept := s.apiKey == testSecret && s.auth != ""; kept != tc.keep {
				t.Fatalf("after the redirect to %s: credential headers %+v, want kept=%v", tc.where, s, tc.keep)
			}
			if !tc.keep && (s.apiKey != "" || s.auth != "") {
				t.Fatalf("a credential header followed the redirect to another host: %+v", s)
			}
		})
	}
}
