package connectors

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"

	"code.dny.dev/ssrf"
)

// specialPurpose decides which addresses are not on the public internet. It
// is code.dny.dev/ssrf, whose lists are generated from IANA's IPv4 and IPv6
// Special-Purpose Address Registries: for IPv4 every registry entry
// (loopback, private, link-local with the cloud metadata address, CGNAT,
// documentation, benchmarking, multicast, reserved…) is refused; for IPv6
// everything outside global unicast (2000::/3) is refused, which covers
// ::1, ::, link-local, unique local, multicast, NAT64 and IPv4-mapped
// addresses, plus the registry's special ranges inside 2000::/3 (Teredo,
// 6to4, documentation). A maintained, generated list keeps up with the
// registries, where a hand-kept one drifts. Ports and networks are not its
// business here: any port and both TCP families are fine.
var specialPurpose = ssrf.New(ssrf.WithAnyPort(), ssrf.WithAnyNetwork())

// canonicalAddr drops what makes one address look like several: an IPv6
// zone ("::1%lo" is ::1, and netip.Prefix.Contains is false for every zoned
// address) and the IPv4-mapped form ("::ffff:127.0.0.1" is 127.0.0.1).
// Every check runs on its result.
func canonicalAddr(addr netip.Addr) netip.Addr {
	return addr.WithZone("").Unmap()
}

// nat64 is the well-known NAT64 prefix, named in refusals.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// cgnat is the shared address space of carrier-grade NAT, named in
// refusals.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// reasonOf names, for people, why a refused address is not public.
func reasonOf(addr netip.Addr) string {
	switch {
	case addr.IsUnspecified():
		return "unspecified"
	case addr.IsLoopback():
		return "loopback"
	case addr.IsPrivate():
		return "private"
	case addr.Is4() && addr.IsLinkLocalUnicast():
		return "link-local (cloud metadata)"
	case addr.IsLinkLocalUnicast():
		return "link-local"
	case addr.IsMulticast():
		return "multicast"
	case cgnat.Contains(addr):
		return "shared (CGNAT)"
	case nat64.Contains(addr):
		return "NAT64"
	}
	return "special-purpose (IANA registry)"
}

// BlockedError is returned when the SSRF guard refuses a destination. The
// message names the host or address and why, never the URL path.
type BlockedError struct {
	Host string
	// Addr is the refused address; it is the zero Addr when the host was
	// refused before resolution (a non-standard IPv4 form).
	Addr   netip.Addr
	Reason string
}

func (e *BlockedError) Error() string {
	const fix = "ask an admin to add it to --ssrf-allow to permit it"
	switch {
	case !e.Addr.IsValid():
		return fmt.Sprintf("host %s is not allowed (%s)", e.Host, e.Reason)
	case e.Host != "" && e.Host != e.Addr.String():
		return fmt.Sprintf("address %s of %s is not allowed (%s); %s", e.Addr, e.Host, e.Reason, fix)
	}
	return fmt.Sprintf("address %s is not allowed (%s); %s", e.Addr, e.Reason, fix)
}

// hostList is an admin's list of destinations: CIDRs ("10.0.0.0/8"), single
// IPs ("127.0.0.1") and host names ("hooks.internal"). The SSRF allowlist
// and the plain-http allowlist are both hostLists.
type hostList struct {
	nets  []netip.Prefix
	hosts map[string]bool
	// any is set by the entry "*", which only the plain-http list accepts.
	any bool
}

// parseHostList parses entries; wildcard says whether "*" (everything) is
// a valid entry.
func parseHostList(entries []string, wildcard bool) (hostList, error) {
	l := hostList{hosts: map[string]bool{}}
	for _, a := range entries {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
			continue
		case a == "*" && wildcard:
			l.any = true
			continue
		}
		if p, err := netip.ParsePrefix(a); err == nil {
			l.nets = append(l.nets, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(strings.Trim(a, "[]")); err == nil {
			ip = canonicalAddr(ip)
			l.nets = append(l.nets, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		if strings.ContainsAny(a, "/ :*%[]") {
			return hostList{}, fmt.Errorf("allowlist entry %q is not a CIDR, IP or host name", a)
		}
		l.hosts[normalHost(a)] = true
	}
	return l, nil
}

func normalHost(host string) string {
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// matchName reports whether host is listed by name.
func (l hostList) matchName(host string) bool {
	return l.any || l.hosts[normalHost(host)]
}

// matchAddr reports whether addr falls in a listed CIDR or IP.
func (l hostList) matchAddr(addr netip.Addr) bool {
	if l.any {
		return true
	}
	addr = canonicalAddr(addr)
	for _, p := range l.nets {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// matchHost reports whether a URL's host is listed, by name or, for a
// literal IP, by address. Names are not resolved: a CIDR entry matches
// URLs that spell an address in it, not names that resolve into it.
func (l hostList) matchHost(host string) bool {
	if l.matchName(host) {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && l.matchAddr(ip)
}

// Guard decides which addresses user-typed URLs may reach: public unicast
// addresses, plus whatever an admin allowlisted.
type Guard struct {
	allow hostList
}

// NewGuard builds a guard with an allowlist of CIDRs, IPs or host names.
func NewGuard(allow []string) (*Guard, error) {
	l, err := parseHostList(allow, false)
	if err != nil {
		return nil, err
	}
	return &Guard{allow: l}, nil
}

// CheckAddr returns a *BlockedError when addr is not a public unicast
// address and not allowlisted. Zones and the IPv4-mapped form are dropped
// first, so "::1%lo" and "::ffff:127.0.0.1" are judged as ::1 and
// 127.0.0.1.
func (g *Guard) CheckAddr(host string, addr netip.Addr) error {
	addr = canonicalAddr(addr)
	if g.allow.matchAddr(addr) {
		return nil
	}
	if err := specialPurpose.SafeAddr(addr); err != nil {
		return &BlockedError{Host: host, Addr: addr, Reason: reasonOf(addr)}
	}
	return nil
}

// CheckHost refuses a URL host that is a literal blocked IP, or an IPv4
// address in a non-standard form. Other host names are allowed here and
// checked after resolution by DialContext.
func (g *Guard) CheckHost(host string) error {
	if g.allow.matchName(host) {
		return nil
	}
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return g.CheckAddr(host, addr)
	}
	if numericIPv4(host) {
		// Browsers and C resolvers read "2130706433", "0x7f000001",
		// "0177.0.0.1" and "127.1" as 127.0.0.1; Go's resolver does not.
		// The dial-time check would catch the address either way, but no
		// real host is spelled like that, so say what is wrong.
		return &BlockedError{Host: host, Reason: "an IPv4 address in a non-standard form (decimal, octal, hex " +
			"or shortened); write it as four decimal numbers, like 203.0.113.7"}
	}
	return nil
}

// numericIPv4 reports whether host would be read as an IPv4 address by the
// URL standard's host parser: its last dot-separated label is a decimal,
// octal (leading 0) or hex (0x) number. No top-level domain is numeric, so
// such a host is never a DNS name.
func numericIPv4(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	digits := "0123456789"
	if l := strings.ToLower(last); strings.HasPrefix(l, "0x") {
		last, digits = l[2:], "0123456789abcdef"
		if last == "" {
			return true // "0x" alone is zero
		}
	}
	return strings.Trim(last, digits) == ""
}

// DialContext wraps d so that every connection is checked against the guard
// after DNS resolution, in the dialer's Control hook, which sees the exact
// address being connected to (zone included, which CheckAddr drops).
// Allowlisted host names skip the check.
func (g *Guard) DialContext(d *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	guarded := *d
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return nil, fmt.Errorf("splitting dial address: %w", err)
		}
		if g.allow.matchName(host) {
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
