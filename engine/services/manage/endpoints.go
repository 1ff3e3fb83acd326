package manage

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

const titleInvalidEndpoint = "the endpoint settings are invalid"

// Named limits of endpoint settings.
const (
	// MaxEndpointBodyBytes caps an endpoint's own body limit.
	MaxEndpointBodyBytes = 64 << 20
	// MaxAllowlistEntries caps an endpoint's IP allowlist.
	MaxAllowlistEntries = 1000
	// MaxRotateGrace caps how long an old URL keeps working after a
	// rotation: long enough to update a sender over a holiday, short
	// enough that a leaked URL does not stay usable for long.
	MaxRotateGrace = 30 * 24 * time.Hour
)

// EndpointPatch changes an endpoint's settings; nil fields stay unchanged.
type EndpointPatch struct {
	Enabled      *bool     `json:"enabled,omitempty"`
	MaxBodyBytes *int64    `json:"max_body_bytes,omitempty"`
	RateLimit    *float64  `json:"rate_limit,omitempty"`
	RateBurst    *int      `json:"rate_burst,omitempty"`
	IPAllowlist  *[]string `json:"ip_allowlist,omitempty"`
}

// UpdateEndpoint validates and applies p. Allowlist entries are CIDRs or
// single addresses (stored as /32 or /128 prefixes).
func (s *Service) UpdateEndpoint(ctx context.Context, id string, p EndpointPatch) (EndpointView, error) {
	var errs []definition.Error
	bad := func(path, format string, args ...any) {
		errs = append(errs, definition.Error{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if p.MaxBodyBytes != nil && (*p.MaxBodyBytes < 1 || *p.MaxBodyBytes > MaxEndpointBodyBytes) {
		bad("max_body_bytes", "must be from 1 to %d", MaxEndpointBodyBytes)
	}
	if p.RateLimit != nil && *p.RateLimit < 0 {
		bad("rate_limit", "must be 0 (unlimited) or a positive number of events per second")
	}
	if p.RateBurst != nil && *p.RateBurst < 0 {
		bad("rate_burst", "must not be negative")
	}
	if p.IPAllowlist != nil {
		list := *p.IPAllowlist
		if len(list) > MaxAllowlistEntries {
			bad("ip_allowlist", "has %d entries, over the limit of %d", len(list), MaxAllowlistEntries)
		}
		clean := make([]string, 0, len(list))
		for i, entry := range list {
			entry = strings.TrimSpace(entry)
			if pfx, err := netip.ParsePrefix(entry); err == nil {
				clean = append(clean, pfx.Masked().String())
				continue
			}
			if addr, err := netip.ParseAddr(entry); err == nil {
				clean = append(clean, netip.PrefixFrom(addr, addr.BitLen()).String())
				continue
			}
			bad(fmt.Sprintf("ip_allowlist[%d]", i), "%q is not an IP address or CIDR such as 203.0.113.0/24", entry)
		}
		p.IPAllowlist = &clean
	}
	if len(errs) > 0 {
		return EndpointView{}, &ValidationError{Title: titleInvalidEndpoint, Errors: errs}
	}
	e, err := s.Store.UpdateEndpoint(ctx, id, store.EndpointSettings{Enabled: p.Enabled, MaxBodyBytes: p.MaxBodyBytes,
		RateLimit: p.RateLimit, RateBurst: p.RateBurst, IPAllowlist: p.IPAllowlist})
	if err != nil {
		return EndpointView{}, err
	}
	return s.Endpoint(e), nil
}

// RotateRequest is the body of a rotation: Grace, when set, is how long
// the old URL keeps working, as a duration such as "30m", "24h" or "7d".
type RotateRequest struct {
	Grace string `json:"grace,omitempty"`
}

// parseGrace reads a grace period: a Go duration, or whole days ("7d").
func parseGrace(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days such as 7d", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 30m, 24h or 7d", v)
	}
	return d, nil
}

// RotateEndpoint gives an endpoint a new token. Without a grace period the
// old URL stops working at once; with one, it keeps working until the
// period ends (at most MaxRotateGrace), so the sending app can be moved
// to the new URL without losing events. Events that arrive through the
// old URL are marked as such in the event log (see package triggers).
func (s *Service) RotateEndpoint(ctx context.Context, id string, req RotateRequest) (EndpointView, error) {
	grace, err := parseGrace(req.Grace)
	if err == nil && grace > MaxRotateGrace {
		err = fmt.Errorf("is %s, over the limit of %s (30 days)", req.Grace, MaxRotateGrace)
	}
	if err != nil {
		return EndpointView{}, invalid(titleInvalidEndpoint, "grace", err.Error())
	}
	e, err := s.Store.RotateEndpointToken(ctx, id, grace)
	if err != nil {
		return EndpointView{}, err
	}
	return s.Endpoint(e), nil
}

// GetEndpoint returns an endpoint with its URL.
func (s *Service) GetEndpoint(ctx context.Context, id string) (EndpointView, error) {
	e, err := s.Store.GetEndpoint(ctx, id)
	if err != nil {
		return EndpointView{}, err
	}
	return s.Endpoint(e), nil
}

// ListEndpoints lists a live workflow's endpoints with their URLs.
func (s *Service) ListEndpoints(ctx context.Context, workflowID string) ([]EndpointView, error) {
	if _, err := s.Store.GetWorkflow(ctx, workflowID); err != nil {
		return nil, err
	}
	eps, err := s.Store.ListEndpoints(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	out := make([]EndpointView, len(eps))
	for i, e := range eps {
		out[i] = s.Endpoint(e)
	}
	return out, nil
}
