package connectors

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// blockedRanges are the address ranges a user-typed URL may not reach. The
// check runs on the resolved address at dial time, so DNS names that point
// inside, DNS rebinding and redirects are all covered.
var blockedRanges = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (cloud metadata)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
}

// BlockedError is returned when the SSRF guard refuses an address. The
// message names the address and why, never the URL path.
type BlockedError struct {
	Host   string
	Addr   netip.Addr
	Reason string
}

func (e *BlockedError) Error() string {
	if e.Host != "" && e.Host != e.Addr.String() {
		return fmt.Sprintf("address %s of %s is not allowed (%s); add it to the allowlist to permit it", e.Addr, e.Host, e.Reason)
	}
	return fmt.Sprintf("address %s is not allowed (%s); add it to the allowlist to permit it", e.Addr, e.Reason)
}

// Guard decides which addresses user-typed URLs may reach.
type Guard struct {
	allowNets  []netip.Prefix
	allowHosts map[string]bool
}

// NewGuard builds a guard with an allowlist of CIDRs, IPs or host names.
func NewGuard(allow []string) (*Guard, error) {
	g := &Guard{allowHosts: map[string]bool{}}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if p, err := netip.ParsePrefix(a); err == nil {
			g.allowNets = append(g.allowNets, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(a); err == nil {
			g.allowNets = append(g.allowNets, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		if strings.ContainsAny(a, "/ :") {
			return nil, fmt.Errorf("allowlist entry %q is not a CIDR, IP or host name", a)
		}
		g.allowHosts[strings.ToLower(strings.TrimSuffix(a, "."))] = true
	}
	return g, nil
}

// CheckAddr returns a *BlockedError when addr is in a blocked range and not
// allowlisted.
func (g *Guard) CheckAddr(host string, addr netip.Addr) error {
	addr = addr.Unmap()
	for _, p := range g.allowNets {
		if p.Contains(addr) {
			return nil
		}
	}
	for _, b := range blockedRanges {
		if b.prefix.Contains(addr) {
			return &BlockedError{Host: host, Addr: addr, Reason: b.reason}
		}
	}
	return nil
}

// CheckHost refuses a host that is a literal blocked IP. Host names are
// allowed here and checked after resolution by DialContext.
func (g *Guard) CheckHost(host string) error {
	if g.hostAllowed(host) {
		return nil
	}
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return nil
	}
	return g.CheckAddr(host, addr)
}

func (g *Guard) hostAllowed(host string) bool {
	return g.allowHosts[strings.ToLower(strings.TrimSuffix(host, "."))]
}

// DialContext wraps d so that every connection is checked against the guard
// after DNS resolution, in the dialer's Control hook, which sees the exact
// address being connected to. Allowlisted host names skip the check.
func (g *Guard) DialContext(d *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	guarded := *d
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return nil, fmt.Errorf("splitting dial address: %w", err)
		}
		if g.hostAllowed(host) {
			return d.DialContext(ctx, network, address)
		}
		dd := guarded
		dd.Control = func(_, resolved string, _ syscall.RawConn) error {
			ipStr, _, err := net.SplitHostPort(resolved)
			if err != nil {
				return fmt.Errorf("splitting resolved address: %w", err)
			}
			ip, err := netip.ParseAddr(ipStr)
			if err != nil {
				return fmt.Errorf("parsing resolved address: %w", err)
			}
			return g.CheckAddr(host, ip)
		}
		return dd.DialContext(ctx, network, address)
	}
}
