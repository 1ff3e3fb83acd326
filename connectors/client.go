package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Named defaults of the shared HTTP client. Every one can be changed through
// ClientConfig.
const (
	// DefaultTimeout bounds one whole HTTP exchange, body included.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxResponseBytes caps how much of a response body is read; a
	// larger body fails the call instead of exhausting worker memory.
	DefaultMaxResponseBytes int64 = 10 << 20
	// DefaultUserAgent is sent when a request sets no User-Agent of its own.
	DefaultUserAgent = "hookflow/1.0 (+https://github.com/hookflow/hookflow)"
	// DefaultMaxRedirects is how many redirects one request may follow.
	DefaultMaxRedirects = 5
	// DefaultMaxIdleConnsPerHost keeps enough warm connections for a busy
	// worker talking to one provider.
	DefaultMaxIdleConnsPerHost = 16
)

// ClientConfig configures a Client. The zero value is usable: every zero
// field takes its named default.
type ClientConfig struct {
	Timeout          time.Duration
	MaxResponseBytes int64
	UserAgent        string
	MaxRedirects     int
	// MaxIdleConnsPerHost sizes the connection pool per host.
	MaxIdleConnsPerHost int
	// Guard turns on the SSRF guard: every connection, including those made
	// for redirects, is refused when the resolved address is loopback,
	// private, link-local (cloud metadata included), unspecified, multicast
	// or CGNAT, unless Allow lets it through. Clients that call URLs users
	// type (the http step, outgoing webhooks) must set it.
	Guard bool
	// Allow lists what the guard lets through anyway: CIDRs ("10.0.0.0/8"),
	// single IPs ("127.0.0.1") or host names ("hooks.internal"). Tests and
	// trusted deployments use it to reach local addresses. What it lists
	// may also be called over plain http (see AllowHTTP): an admin who
	// vouches for an internal service vouches for how it is reached.
	Allow []string
	// AllowHTTP lists destinations that may be called over plain http://,
	// in Allow's forms, or "*" for any. Every other http:// URL, and every
	// redirect from https to http, is refused: credentials, signatures and
	// payloads must not cross the network in clear text. Names match by
	// name, CIDRs match URLs that spell a literal address.
	AllowHTTP []string
	// MaxPages bounds one paginated listing (see Pages).
	MaxPages int
	// Now is the clock used to turn HTTP-date Retry-After headers into a
	// wait. Defaults to time.Now.
	Now func() time.Time
}

func (c ClientConfig) withDefaults() ClientConfig {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.MaxRedirects <= 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	if c.MaxIdleConnsPerHost <= 0 {
		c.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	if c.MaxPages <= 0 {
		c.MaxPages = DefaultMaxPages
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// ResponseCheck inspects a response before the default classification. It
// exists for providers that report failures inside a 2xx body, like Slack's
// {"ok":false,"error":"channel_not_found"}. It returns a classified error
// (Permanent, Retryable, RateLimited or NewError) to fail the call, or nil to
// let the default status-based classification decide.
type ResponseCheck func(resp *HTTPResponse) error

// Client is the shared HTTP client every connector uses. It applies
// timeouts and a response-size cap, classifies failures into the error
// classes the engine understands, and, when configured with Guard, refuses
// to connect to internal addresses. A Client is safe for concurrent use.
type Client struct {
	cfg       ClientConfig
	hc        *http.Client
	guard     *Guard
	plainHTTP hostList
	check     ResponseCheck
}

// NewClient builds a Client. It fails only when an Allow or AllowHTTP
// entry is neither a CIDR, an IP nor a host name.
func NewClient(cfg ClientConfig) (*Client, error) {
	cfg = cfg.withDefaults()
	c := &Client{cfg: cfg}
	plain, err := parseHostList(append(append([]string(nil), cfg.AllowHTTP...), cfg.Allow...), true)
	if err != nil {
		return nil, fmt.Errorf("configuring plain-http allowlist: %w", err)
	}
	c.plainHTTP = plain
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   cfg.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	if cfg.Guard {
		g, err := NewGuard(cfg.Allow)
		if err != nil {
			return nil, fmt.Errorf("configuring SSRF guard: %w", err)
		}
		c.guard = g
		// A proxy would make the guard check the proxy's address instead of
		// the target's, so guarded clients never use one.
		transport.Proxy = nil
		transport.DialContext = g.DialContext(dialer)
	}
	c.hc = &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > cfg.MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", cfg.MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to unsupported scheme %q", req.URL.Scheme)
			}
			if err := c.checkScheme(req.URL); err != nil {
				return err
			}
			if req.URL.Host != via[0].URL.Host {
				// Go drops Authorization and Cookie on a redirect to another
				// domain but forwards every other header, an API key header
				// or an HMAC signature among them. Secrets go to the host
				// the step named and nowhere else.
				for _, name := range secretHeadersOf(req.Context()) {
					req.Header.Del(name)
				}
			}
			if c.guard != nil {
				// Refuse literal internal addresses early; host names are
				// checked after resolution by the dialer.
				if err := c.guard.CheckHost(req.URL.Hostname()); err != nil {
					return err
				}
			}
			return nil
		},
	}
	return c, nil
}

// MustNewClient is NewClient for configurations known to be valid (no Allow
// entries, or constant ones); it panics on error.
func MustNewClient(cfg ClientConfig) *Client {
	c, err := NewClient(cfg)
	if err != nil {
		panic(err)
	}
	return c
}

// Config returns the client's configuration with defaults filled in.
func (c *Client) Config() ClientConfig { return c.cfg }

// Guarded reports whether the client enforces the SSRF guard.
func (c *Client) Guarded() bool { return c.guard != nil }

// WithCheck returns a copy of c that runs check on every response before the
// default classification. The copy shares c's connection pool.
func (c *Client) WithCheck(check ResponseCheck) *Client {
	cp := *c
	cp.check = check
	return &cp
}

// WithTimeout returns a copy of c whose whole-exchange timeout is d, on the
// same connection pool, guard and check. Actions whose provider may take
// longer than the admin's default (a model generating a long reply) use it
// to honour the step's own timeout, read from their context's deadline.
func (c *Client) WithTimeout(d time.Duration) *Client {
	cp := *c
	hc := *c.hc
	hc.Timeout = d
	cp.hc = &hc
	cp.cfg.Timeout = d
	return &cp
}

// CloseIdleConnections releases pooled connections. It is safe to call more
// than once.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// HTTPRequest is one outgoing call made through a Client.
type HTTPRequest struct {
	Method string
	URL    string
	// Query is merged into URL's query string.
	Query  url.Values
	Header http.Header
	// SecretHeaders names headers that carry a credential (an API key
	// header, a signature). They are sent to the request's host only: a
	// redirect to another host drops them, as Go already drops
	// Authorization and Cookie.
	SecretHeaders []string
	// Body is sent as is; set the Content-Type header to match.
	Body []byte
	// IgnoreStatus returns 4xx and 5xx responses to the caller instead of
	// turning them into classified errors (the http step's
	// fail_on_status=false). Network errors are still returned.
	IgnoreStatus bool
}

// HTTPResponse is a fully read response.
type HTTPResponse struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is the final URL after redirects.
	URL *url.URL
	// Duration is how long the exchange took, body included.
	Duration time.Duration
}

// IsJSON reports whether the Content-Type says the body is JSON
// (application/json or any +json type).
func (r *HTTPResponse) IsJSON() bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// JSON decodes the body into out.
func (r *HTTPResponse) JSON(out any) error {
	if err := json.Unmarshal(r.Body, out); err != nil {
		return fmt.Errorf("decoding response body: %w", err)
	}
	return nil
}

// Decode decodes the body into out. A body that does not decode is a
// permanent error, "reading <provider> response: …", since a retry would
// read the same bytes.
func (r *HTTPResponse) Decode(provider string, out any) error {
	if err := r.JSON(out); err != nil {
		return NewError(ClassPermanent, r.Status, "reading "+provider+" response: "+err.Error())
	}
	return nil
}

// Get returns the value at a gjson path of the body.
func (r *HTTPResponse) Get(path string) gjson.Result { return gjson.GetBytes(r.Body, path) }

// Do sends req and reads the whole response through the size cap. Every
// error it returns is a classified *Error: network failures and timeouts
// are retryable, a 4xx is permanent with the provider's message, a 429 (or a
// rate-limit header saying the quota is spent) is rate-limited with the wait
// the provider asked for. Error messages name the method and host, never the
// path or query, which may carry tokens (Telegram puts the bot token in the
// path).
func (c *Client) Do(ctx context.Context, req *HTTPRequest) (*HTTPResponse, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, Permanent(fmt.Errorf("parsing request URL: %w", redactURLError(err)))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, Permanent(fmt.Errorf("request URL must start with http:// or https://, got scheme %q", u.Scheme))
	}
	if u.Host == "" {
		return nil, Permanent(errors.New("request URL has no host"))
	}
	if len(req.Query) > 0 {
		q := u.Query()
		for k, vs := range req.Query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	where := method + " " + u.Host
	if err := c.checkScheme(u); err != nil {
		return nil, &Error{Class: ClassPermanent, Message: where + ": " + err.Error(), Err: err}
	}
	if c.guard != nil {
		if err := c.guard.CheckHost(u.Hostname()); err != nil {
			return nil, &Error{Class: ClassPermanent, Message: where + ": " + err.Error(), Err: err}
		}
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hctx := ctx
	if len(req.SecretHeaders) > 0 {
		hctx = context.WithValue(ctx, secretHeadersKey{}, req.SecretHeaders)
	}
	hreq, err := http.NewRequestWithContext(hctx, method, u.String(), body)
	if err != nil {
		return nil, Permanent(fmt.Errorf("building %s request: %w", method, redactURLError(err)))
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hreq.Header.Add(k, v)
		}
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	}

	start := time.Now()
	hresp, err := c.hc.Do(hreq)
	if err != nil {
		return nil, c.classifyTransport(ctx, where, err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, c.classifyTransport(ctx, where, err)
	}
	if int64(len(data)) > c.cfg.MaxResponseBytes {
		return nil, &Error{Class: ClassPermanent, Status: hresp.StatusCode,
			Message: fmt.Sprintf("%s: response body exceeds the %d byte limit", where, c.cfg.MaxResponseBytes)}
	}
	resp := &HTTPResponse{
		Status:   hresp.StatusCode,
		Header:   hresp.Header,
		Body:     data,
		URL:      hresp.Request.URL,
		Duration: time.Since(start),
	}
	if c.check != nil {
		if err := c.check(resp); err != nil {
			return resp, err
		}
	}
	if req.IgnoreStatus {
		return resp, nil
	}
	if err := ClassifyResponse(resp.Status, resp.Header, resp.Body, c.cfg.Now()); err != nil {
		return resp, err
	}
	return resp, nil
}

// classifyTransport turns a transport failure into a classified error whose
// message carries no URL path or query.
func (c *Client) classifyTransport(ctx context.Context, where string, err error) error {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	var blocked *BlockedError
	if errors.As(inner, &blocked) {
		return &Error{Class: ClassPermanent, Message: where + ": " + blocked.Error(), Err: blocked}
	}
	var plain *PlainHTTPError
	if errors.As(inner, &plain) {
		return &Error{Class: ClassPermanent, Message: where + ": " + plain.Error(), Err: plain}
	}
	if ue != nil && ue.Timeout() || errors.Is(inner, context.DeadlineExceeded) {
		return &Error{Class: ClassRetryable, Message: fmt.Sprintf("%s: timed out after %s", where, c.cfg.Timeout), Err: inner}
	}
	if ctx.Err() != nil {
		return &Error{Class: ClassRetryable, Message: where + ": " + ctx.Err().Error(), Err: ctx.Err()}
	}
	return &Error{Class: ClassRetryable, Message: where + ": " + inner.Error(), Err: inner}
}

// PlainHTTPError is returned for an http:// destination that no admin
// allowed (ClientConfig.AllowHTTP).
type PlainHTTPError struct {
	Host string
}

func (e *PlainHTTPError) Error() string {
	return fmt.Sprintf("plain http:// to %s is not allowed; use https:// or ask an admin to allow it with --allow-http", e.Host)
}

// checkScheme refuses http:// to a host no admin allowed.
func (c *Client) checkScheme(u *url.URL) error {
	if u.Scheme != "http" || c.plainHTTP.matchHost(u.Hostname()) {
		return nil
	}
	return &PlainHTTPError{Host: u.Hostname()}
}

// secretHeadersKey carries HTTPRequest.SecretHeaders to CheckRedirect,
// which sees only the *http.Request.
type secretHeadersKey struct{}

func secretHeadersOf(ctx context.Context) []string {
	names, _ := ctx.Value(secretHeadersKey{}).([]string)
	return names
}

// redactURLError drops the URL that *url.Error carries, since it may hold a
// token.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// DoJSON sends body as JSON (unless it is nil) and decodes a successful
// response into out (unless out is nil or the body is empty). body may be
// []byte or json.RawMessage to send pre-encoded JSON.
func (c *Client) DoJSON(ctx context.Context, method, url string, header http.Header, body any, out any) (*HTTPResponse, error) {
	req := &HTTPRequest{Method: method, URL: url, Header: cloneHeader(header)}
	if body != nil {
		switch b := body.(type) {
		case []byte:
			req.Body = b
		case json.RawMessage:
			req.Body = b
		default:
			data, err := json.Marshal(body)
			if err != nil {
				return nil, Permanent(fmt.Errorf("encoding request body: %w", err))
			}
			req.Body = data
		}
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	return c.decode(ctx, req, out)
}

// DoForm sends form as application/x-www-form-urlencoded (Stripe, Twilio)
// and decodes a successful JSON response into out (unless out is nil).
func (c *Client) DoForm(ctx context.Context, method, url string, header http.Header, form url.Values, out any) (*HTTPResponse, error) {
	req := &HTTPRequest{Method: method, URL: url, Header: cloneHeader(header)}
	if form != nil {
		req.Body = []byte(form.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	return c.decode(ctx, req, out)
}

func (c *Client) decode(ctx context.Context, req *HTTPRequest, out any) (*HTTPResponse, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return resp, err
	}
	if out != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp, &Error{Class: ClassPermanent, Status: resp.Status,
				Message: fmt.Sprintf("decoding %s response: %v", req.Method, err), Err: err}
		}
	}
	return resp, nil
}

func cloneHeader(h http.Header) http.Header {
	if h == nil {
		return http.Header{}
	}
	return h.Clone()
}
