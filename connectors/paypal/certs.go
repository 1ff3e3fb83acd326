package paypal

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The limits of certificate fetching. A PayPal certificate chain is a few
// kilobytes; anything much larger is not one.
const (
	certFetchTimeout = 10 * time.Second
	maxCertBytes     = 64 << 10
	// certCacheSize bounds the cached chains. PayPal uses one signing
	// certificate at a time per environment, plus one during a rotation,
	// so a handful of entries serve every endpoint; the bound stops a
	// stream of distinct (allowed) URLs from growing memory.
	certCacheSize = 16
)

// certPathPrefix is where PayPal serves its webhook signing certificates.
const certPathPrefix = "/v1/notifications/certs/"

// PayPal's API hosts, the only hosts a PAYPAL-CERT-URL may name
// (production and sandbox, classic and api-m).
var paypalCertHosts = []string{"api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com"}

// issuerHosts are the hosts a signing certificate's issuer (AIA "CA
// Issuers") URL may name for hookflow to fetch a missing intermediate
// from. PayPal's certificates are issued by DigiCert, and the file at
// PAYPAL-CERT-URL may hold the leaf alone (PayPal's own SDKs trust a
// bundled DigiCert intermediate instead); fetching the intermediate the
// leaf names, as browsers do, lets the chain end at a system root.
// Intermediates are certificates like any other: whatever is fetched
// must still chain to a trusted root.
var issuerHosts = []string{"cacerts.digicert.com", "cacerts.geotrust.com", "cacerts.thawte.com"}

// maxIssuerFetches bounds the intermediates fetched for one chain.
const maxIssuerFetches = 2

// paypalCertNames are the names PayPal's signing certificate is issued to.
var paypalCertNames = []string{"messageverificationcerts.paypal.com", "messageverificationcerts.sandbox.paypal.com"}

// certSource fetches, checks and caches the certificates named by
// PAYPAL-CERT-URL. The URL comes from the request, so it is attacker
// controlled: it is fetched only when it is https on one of PayPal's own
// hosts, and the certificate it gives is only trusted when it chains to a
// root and is issued to PayPal's message verification name. A forger can
// therefore point only at PayPal's certificates, whose private keys they
// do not have.
//
// Production uses defaultCertSource; tests build their own (other hosts,
// roots and client), which is the only way to allow another host.
type certSource struct {
	hosts  []string       // allowed hosts; an entry with a port matches host:port
	issuer []string       // allowed hosts of issuer (AIA) URLs, same form
	names  []string       // names the leaf must carry (SAN or CN)
	roots  *x509.CertPool // nil: the system roots
	client *http.Client

	mu       sync.Mutex
	cache    map[string][]*x509.Certificate
	order    []string // insertion order, for eviction
	inflight map[string]*download
	fetch    int // fetches made, for tests
}

// download is one fetch of a certificate URL that concurrent deliveries
// wait for, so a burst of deliveries after a start or a rotation fetches
// the certificate once.
type download struct {
	done  chan struct{}
	chain []*x509.Certificate
	err   error
}

var defaultCertSource = newCertSource(paypalCertHosts, paypalCertNames, nil, &http.Client{
	Timeout: certFetchTimeout,
	// A redirect could leave PayPal's hosts; PayPal serves certificates
	// directly.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
})

func newCertSource(hosts, names []string, roots *x509.CertPool, client *http.Client) *certSource {
	return &certSource{hosts: hosts, issuer: issuerHosts, names: names, roots: roots, client: client,
		cache: map[string][]*x509.Certificate{}, inflight: map[string]*download{}}
}

// certError is why a certificate cannot be used, worded for the event
// log. It never holds a secret; it may name the URL's host.
type certError string

func (e certError) Error() string { return string(e) }

// checkURL refuses a certificate URL that is not https on an allowed host.
func (s *certSource) checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, certError("certificate URL is not an https URL")
	}
	if !hostAllowed(u, s.hosts, "443") {
		return nil, certError("certificate URL is not on a PayPal host")
	}
	if !strings.HasPrefix(u.EscapedPath(), certPathPrefix) || strings.Contains(u.Path, "..") {
		return nil, certError("certificate URL is not under " + certPathPrefix)
	}
	return u, nil
}

// hostAllowed reports whether u's host is in hosts: an entry with a port
// matches host:port exactly, one without matches the host on the
// scheme's default port.
func hostAllowed(u *url.URL, hosts []string, defaultPort string) bool {
	host := strings.ToLower(u.Hostname())
	for _, h := range hosts {
		if strings.Contains(h, ":") {
			if strings.EqualFold(u.Host, h) {
				return true
			}
		} else if (u.Port() == "" || u.Port() == defaultPort) && host == h {
			return true
		}
	}
	return false
}

// completeChain appends the intermediates a chain lacks, fetched from the
// issuer URLs its last certificate names on an allowed issuer host. It
// never fails: a chain it cannot complete is left for check to refuse.
func (s *certSource) completeChain(ctx context.Context, chain []*x509.Certificate, now time.Time) []*x509.Certificate {
	for range maxIssuerFetches {
		last := chain[len(chain)-1]
		if s.verifies(chain, now) || len(last.IssuingCertificateURL) == 0 {
			return chain
		}
		var next *x509.Certificate
		for _, raw := range last.IssuingCertificateURL {
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
				continue
			}
			port := "80"
			if u.Scheme == "https" {
				port = "443"
			}
			if !hostAllowed(u, s.issuer, port) {
				continue
			}
			certs, err := s.get(ctx, u.String())
			if err == nil && len(certs) > 0 && last.CheckSignatureFrom(certs[0]) == nil {
				next = certs[0]
				break
			}
		}
		if next == nil {
			return chain
		}
		chain = append(chain, next)
	}
	return chain
}

// verifies reports whether chain leads to a trusted root at time at.
func (s *certSource) verifies(chain []*x509.Certificate, at time.Time) bool {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: s.roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err == nil
}

// leaf returns the signing certificate at raw, checked at time now: its
// chain leads to a trusted root, every certificate is within its validity
// period, and it is issued to PayPal's message verification name. Cached
// chains are checked again on every use, so one that expires while cached
// is refused.
func (s *certSource) leaf(ctx context.Context, raw string, now time.Time) (*x509.Certificate, error) {
	u, err := s.checkURL(raw)
	if err != nil {
		return nil, err
	}
	key := u.String()
	s.mu.Lock()
	chain, ok := s.cache[key]
	s.mu.Unlock()
	check := func(chain []*x509.Certificate) error { return s.check(chain, now) }
	if ok {
		if err := check(chain); err != nil {
			return nil, err
		}
		return chain[0], nil
	}
	if chain, err = s.fetchOnce(ctx, key, now, check); err != nil {
		return nil, err
	}
	return chain[0], nil
}

// check verifies a downloaded chain at time now.
func (s *certSource) check(chain []*x509.Certificate, now time.Time) error {
	leaf := chain[0]
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: s.roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			return certError("certificate is expired or not yet valid")
		}
		return certError("certificate does not chain to a trusted root")
	}
	if !s.issuedToPayPal(leaf) {
		return certError("certificate is not issued to PayPal's message verification name")
	}
	return nil
}

func (s *certSource) issuedToPayPal(c *x509.Certificate) bool {
	names := append([]string{c.Subject.CommonName}, c.DNSNames...)
	for _, n := range names {
		if slices.Contains(s.names, strings.ToLower(n)) {
			return true
		}
	}
	return false
}

// store caches a checked chain, evicting the oldest entry when full.
func (s *certSource) store(key string, chain []*x509.Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[key]; ok {
		return
	}
	if len(s.order) >= certCacheSize {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
	}
	s.cache[key] = chain
	s.order = append(s.order, key)
}

// fetchOnce downloads raw and checks it, or waits for the download
// already under way, so a burst of deliveries after a start or a rotation
// fetches the certificate once. Only a chain that passes check is cached,
// so a bad answer is asked again rather than remembered.
func (s *certSource) fetchOnce(ctx context.Context, raw string, now time.Time, check func([]*x509.Certificate) error) ([]*x509.Certificate, error) {
	s.mu.Lock()
	if chain, ok := s.cache[raw]; ok {
		// Stored since the caller looked.
		s.mu.Unlock()
		if err := check(chain); err != nil {
			return nil, err
		}
		return chain, nil
	}
	if d, ok := s.inflight[raw]; ok {
		s.mu.Unlock()
		select {
		case <-d.done:
			if d.err != nil {
				return nil, d.err
			}
			// Checked by the downloader; checked again at this
			// caller's own time.
			if err := check(d.chain); err != nil {
				return nil, err
			}
			return d.chain, nil
		case <-ctx.Done():
			return nil, certError("certificate download timed out")
		}
	}
	d := &download{done: make(chan struct{})}
	s.inflight[raw] = d
	s.mu.Unlock()
	d.chain, d.err = s.get(ctx, raw)
	if d.err == nil {
		d.chain = s.completeChain(ctx, d.chain, now)
	}
	if d.err == nil {
		d.err = check(d.chain)
	}
	if d.err == nil {
		s.store(raw, d.chain)
	}
	s.mu.Lock()
	delete(s.inflight, raw)
	s.mu.Unlock()
	close(d.done)
	return d.chain, d.err
}

func (s *certSource) get(ctx context.Context, raw string) ([]*x509.Certificate, error) {
	ctx, cancel := context.WithTimeout(ctx, certFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, certError("certificate URL is not an https URL")
	}
	s.mu.Lock()
	s.fetch++
	s.mu.Unlock()
	resp, err := s.client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, certError("certificate download timed out")
		}
		return nil, certError("certificate download failed")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, certError(fmt.Sprintf("certificate download answered %d", resp.StatusCode))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCertBytes+1))
	if err != nil {
		return nil, certError("certificate download failed")
	}
	if len(data) > maxCertBytes {
		return nil, certError("certificate download is too large")
	}
	var chain []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, certError("certificate does not parse")
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		// Issuer (AIA) URLs usually serve one DER certificate.
		if certs, err := x509.ParseCertificates(data); err == nil {
			chain = certs
		}
	}
	if len(chain) == 0 {
		return nil, certError("certificate download holds no certificate")
	}
	return chain, nil
}

// fetches reports how many downloads s made.
func (s *certSource) fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetch
}
