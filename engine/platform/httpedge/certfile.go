package httpedge

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCertCheckInterval is how often, at most, CertFiles re-reads its
// files to see whether they changed. A renewed certificate is usually
// written days before the old one expires, so seconds are plenty, and two
// small files read every few seconds cost nothing.
const DefaultCertCheckInterval = 5 * time.Second

// CertFilesConfig configures LoadCertFiles.
type CertFilesConfig struct {
	// CertFile holds the certificate chain (PEM), leaf first; KeyFile its
	// private key (PEM).
	CertFile, KeyFile string
	// CheckInterval is how often, at most, the files are re-read; zero
	// means DefaultCertCheckInterval.
	CheckInterval time.Duration
	// Now is the clock; nil means time.Now. Tests move it on to force a
	// check.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// CertFiles serves a certificate pair kept in files and picks up a new
// pair when the files change, without a restart: certbot, cert-manager or
// an operator replaces the files, and new TLS handshakes get the new
// certificate. A changed pair that cannot be used (half written, the key
// not matching the certificate, not PEM) is refused with a warning in the
// log, and the last good certificate stays in service.
type CertFiles struct {
	cfg  CertFilesConfig
	cert atomic.Pointer[tls.Certificate]

	mu      sync.Mutex // held by one check at a time
	checked time.Time
	// certPEM and keyPEM are the contents last checked, loaded or refused:
	// unchanged files are not parsed again, and a refused pair is logged
	// once, not at every check.
	certPEM, keyPEM []byte
	// readErr is the text of the last failure to read the files, logged
	// once for the same reason.
	readErr string
}

// LoadCertFiles reads and checks the pair once. Its error names the files
// and the problem, for the start-up message.
func LoadCertFiles(cfg CertFilesConfig) (*CertFiles, error) {
	if cfg.CheckInterval <= 0 {
		cfg.CheckInterval = DefaultCertCheckInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &CertFiles{cfg: cfg}
	certPEM, keyPEM, err := c.read()
	if err != nil {
		return nil, err
	}
	cert, err := parsePair(certPEM, keyPEM, cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("loading TLS certificate %s and key %s: %w", cfg.CertFile, cfg.KeyFile, err)
	}
	c.cert.Store(cert)
	c.certPEM, c.keyPEM, c.checked = certPEM, keyPEM, cfg.Now()
	c.logLoaded(cert, "serving TLS certificate")
	return c, nil
}

// GetCertificate is tls.Config.GetCertificate: it returns the current
// certificate, after re-reading the files when the check interval has
// passed. A handshake never waits for another one's check.
func (c *CertFiles) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.maybeReload()
	return c.cert.Load(), nil
}

// Certificate returns the certificate in service.
func (c *CertFiles) Certificate() *tls.Certificate { return c.cert.Load() }

func (c *CertFiles) maybeReload() {
	if !c.mu.TryLock() {
		return // another handshake is checking; serve the current one
	}
	defer c.mu.Unlock()
	now := c.cfg.Now()
	if now.Sub(c.checked) < c.cfg.CheckInterval {
		return
	}
	c.checked = now
	certPEM, keyPEM, err := c.read()
	if err != nil {
		// Mid-rotation a file may be missing for a moment; the next check
		// sees the finished pair.
		if err.Error() != c.readErr {
			c.readErr = err.Error()
			c.cfg.Logger.Warn("TLS certificate files cannot be read; still serving the previous certificate", "error", err)
		}
		return
	}
	c.readErr = ""
	if bytes.Equal(certPEM, c.certPEM) && bytes.Equal(keyPEM, c.keyPEM) {
		return
	}
	c.certPEM, c.keyPEM = certPEM, keyPEM
	cert, err := parsePair(certPEM, keyPEM, now)
	if err != nil {
		c.cfg.Logger.Warn("TLS certificate files changed but the pair cannot be used; still serving the previous certificate until they change again",
			"cert_file", c.cfg.CertFile, "key_file", c.cfg.KeyFile, "error", err)
		return
	}
	c.cert.Store(cert)
	c.logLoaded(cert, "reloaded TLS certificate")
}

func (c *CertFiles) read() (certPEM, keyPEM []byte, err error) {
	if certPEM, err = os.ReadFile(c.cfg.CertFile); err != nil {
		return nil, nil, fmt.Errorf("reading TLS certificate: %w", err)
	}
	if keyPEM, err = os.ReadFile(c.cfg.KeyFile); err != nil {
		return nil, nil, fmt.Errorf("reading TLS key: %w", err)
	}
	return certPEM, keyPEM, nil
}

// parsePair parses a pair and refuses an expired certificate, which no
// client would accept anyway.
func parsePair(certPEM, keyPEM []byte, now time.Time) (*tls.Certificate, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	// X509KeyPair fills in Leaf.
	if cert.Leaf != nil && now.After(cert.Leaf.NotAfter) {
		return nil, fmt.Errorf("the certificate expired on %s", cert.Leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	return &cert, nil
}

func (c *CertFiles) logLoaded(cert *tls.Certificate, msg string) {
	if cert.Leaf == nil {
		c.cfg.Logger.Info(msg, "cert_file", c.cfg.CertFile)
		return
	}
	c.cfg.Logger.Info(msg, "cert_file", c.cfg.CertFile, "names", strings.Join(cert.Leaf.DNSNames, ","),
		"not_after", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
}
