package triggers

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// Stage 1, admit: is this a delivery to an endpoint that may be served
// now? The checks that shed load come before the body is read.

// notFoundBody is the one reply for unknown, disabled and deleted
// endpoints alike.
const notFoundBody = `{"error":"no webhook endpoint at this URL"}`

// maxTokenLength bounds a token before any lookup; real tokens are 32
// characters.
const maxTokenLength = 128

// admit finds the endpoint of token, enforces the body cap, the IP
// allowlist and the rate limit, and reads the body. It returns the
// endpoint's route whenever the endpoint is known, even when it refused
// the delivery (so Serve can time it), and the delivery when the pipeline
// goes on. The refusals that shed load allocate nothing for the delivery.
func (g *Ingestor) admit(w http.ResponseWriter, r *http.Request, token string) (*route, *delivery) {
	received := g.cfg.Now()
	if !validToken(token) {
		notFound(w)
		return nil, nil
	}
	rt, err := g.routes.lookup(r.Context(), token, g.loadRoute)
	if err != nil {
		g.log.Error("looking up webhook endpoint", "error", err)
		countDelivery(nil, outcomeUnavailable)
		g.unavailable(w, "the event store is unavailable")
		return nil, nil
	}
	limit := g.cfg.MaxBodyBytes
	if rt != nil && rt.endpoint.MaxBodyBytes > 0 {
		limit = rt.endpoint.MaxBodyBytes
	}
	// A declared oversize is refused at once, before the lookup result
	// can show through.
	if r.ContentLength > limit {
		g.tooLarge(w, rt, r, received, limit)
		return rt, nil
	}
	if rt == nil {
		notFound(w)
		return nil, nil
	}
	if !g.allowed(w, rt, r) || !g.underRateLimit(w, rt, received) {
		return rt, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			g.tooLarge(w, rt, r, received, limit)
			return rt, nil
		}
		countDelivery(rt, outcomeInvalid)
		writeError(w, http.StatusBadRequest, "reading request body: "+err.Error())
		return rt, nil
	}
	d := &delivery{g: g, rt: rt, r: r, received: received}
	d.req.Method, d.req.URL, d.req.Header, d.req.Body, d.req.Received = r.Method, g.publicURL(r), r.Header, body, received
	return rt, d
}

func notFound(w http.ResponseWriter) {
	countDelivery(nil, outcomeNotFound)
	writeRaw(w, http.StatusNotFound, "application/json", []byte(notFoundBody))
}

func validToken(t string) bool {
	if t == "" || len(t) > maxTokenLength {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// tooLarge answers 413 and logs it when the endpoint is known (rt is not
// nil).
func (g *Ingestor) tooLarge(w http.ResponseWriter, rt *route, r *http.Request, received time.Time, limit int64) {
	msg := fmt.Sprintf("request body is larger than this endpoint's limit of %d bytes", limit)
	countDelivery(rt, outcomeTooLarge)
	if rt != nil {
		d := &delivery{g: g, rt: rt, r: r, received: received}
		d.log(d.logRow(store.EventRejected, store.VerificationSkipped, msg))
	}
	// The rest of an oversized body is not read; close the connection
	// rather than leave it in an unknown state.
	w.Header().Set("Connection", "close")
	writeError(w, http.StatusRequestEntityTooLarge, msg)
}

// allowed checks the caller's address against the endpoint's allowlist
// and answers 403 when it is not on it. Refusals are counted and logged
// to the process log, never written to the database: the allowlist
// exists to shed load.
func (g *Ingestor) allowed(w http.ResponseWriter, rt *route, r *http.Request) bool {
	if !rt.allowlist || g.allowedIP(rt, r) {
		return true
	}
	g.log.Warn("webhook refused by IP allowlist", "endpoint", rt.endpoint.ID, "remote", r.RemoteAddr)
	countDelivery(rt, outcomeForbidden)
	writeError(w, http.StatusForbidden, "this address is not allowed to call this endpoint")
	return false
}

// underRateLimit takes a token from the endpoint's bucket and answers 429
// with Retry-After when there is none. Like the allowlist, a refusal is
// only counted.
func (g *Ingestor) underRateLimit(w http.ResponseWriter, rt *route, now time.Time) bool {
	ok, wait := g.limits.allow(rt.endpoint, now)
	if ok {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	countDelivery(rt, outcomeRateLimited)
	writeError(w, http.StatusTooManyRequests, fmt.Sprintf("rate limit of %g requests per second exceeded for this endpoint", rt.endpoint.RateLimit))
	return false
}

// allowedIP checks the caller's address against the endpoint's allowlist.
// X-Forwarded-For is believed only from Config.TrustedProxies, and then
// its right-most untrusted address is the caller.
func (g *Ingestor) allowedIP(rt *route, r *http.Request) bool {
	ip, ok := g.clientIP(r)
	if !ok {
		return false
	}
	for _, p := range rt.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (g *Ingestor) clientIP(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	ip = ip.Unmap()
	if !g.trustedProxy(ip) {
		return ip, true
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		hop = hop.Unmap()
		if !g.trustedProxy(hop) {
			return hop, true
		}
		ip = hop
	}
	return ip, true
}

func (g *Ingestor) trustedProxy(ip netip.Addr) bool {
	return slices.ContainsFunc(g.trusted, func(p netip.Prefix) bool { return p.Contains(ip) })
}
