package httpedge

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// TLSConfig says how the server gets its certificate: from files, or
// automatically for AutoHosts. Setting neither means plain HTTP.
type TLSConfig struct {
	// CertFile and KeyFile are a PEM certificate chain and its key,
	// re-read when they change (see CertFiles).
	CertFile, KeyFile string
	// CheckInterval is how often, at most, the files are re-read; zero
	// means DefaultCertCheckInterval.
	CheckInterval time.Duration

	// AutoHosts are the public host names to obtain certificates for
	// from an ACME certificate authority. A handshake for any other name
	// is refused, so nobody can make the server ask for certificates of
	// names it does not serve.
	AutoHosts []string
	// CacheDir keeps the ACME account key and the certificates, so a
	// restart does not ask the authority again. Created (0700) if missing.
	CacheDir string
	// ACMEDirectory is the authority's directory URL; empty means Let's
	// Encrypt's production directory.
	ACMEDirectory string
	// Email is given to the authority for expiry notices; optional.
	Email string
	// HTTPChallenge turns on http-01 challenges besides tls-alpn-01; the
	// caller then serves TLS.Challenge on port 80.
	HTTPChallenge bool

	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Enabled reports whether the config asks for HTTPS.
func (c TLSConfig) Enabled() bool {
	return c.CertFile != "" || c.KeyFile != "" || len(c.AutoHosts) > 0
}

// TLS is what a server needs to serve HTTPS.
type TLS struct {
	// Config goes into http.Server.TLSConfig.
	Config *tls.Config
	// Challenge is the plain-HTTP handler of automatic certificates with
	// TLSConfig.HTTPChallenge: it answers the authority's http-01
	// challenges and redirects every other GET or HEAD to https (other
	// methods get 400, so no webhook payload is ever accepted over plain
	// HTTP). Nil otherwise.
	Challenge http.Handler
	// Files is the certificate source with CertFile and KeyFile, Manager
	// the one with AutoHosts; the other is nil.
	Files   *CertFiles
	Manager *autocert.Manager
}

// NewTLS builds the HTTPS setup of cfg, or returns nil when cfg asks for
// none. Certificate files are read and checked now, so a bad pair stops
// the start with the files named; the certificate cache folder is created
// now, so a folder that cannot be written to does too.
func NewTLS(cfg TLSConfig) (*TLS, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.CertFile != "" || cfg.KeyFile != "" {
		if len(cfg.AutoHosts) > 0 {
			return nil, errors.New("configuring TLS: give either certificate files or host names for automatic certificates, not both")
		}
		if cfg.CertFile == "" || cfg.KeyFile == "" {
			return nil, errors.New("configuring TLS: a certificate needs both its certificate file and its key file")
		}
		files, err := LoadCertFiles(CertFilesConfig{CertFile: cfg.CertFile, KeyFile: cfg.KeyFile,
			CheckInterval: cfg.CheckInterval, Logger: cfg.Logger})
		if err != nil {
			return nil, err
		}
		return &TLS{Config: &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: files.GetCertificate}, Files: files}, nil
	}
	if cfg.CacheDir == "" {
		return nil, errors.New("configuring automatic TLS certificates: no cache folder")
	}
	if err := os.MkdirAll(cfg.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the TLS certificate cache folder: %w", err)
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(cfg.AutoHosts...),
		Cache:      autocert.DirCache(cfg.CacheDir),
		Email:      cfg.Email,
	}
	if cfg.ACMEDirectory != "" {
		m.Client = &acme.Client{DirectoryURL: cfg.ACMEDirectory}
	}
	tc := m.TLSConfig() // offers acme-tls/1, so tls-alpn-01 challenges work on the HTTPS port
	tc.MinVersion = tls.VersionTLS12
	t := &TLS{Config: tc, Manager: m}
	if cfg.HTTPChallenge {
		// Calling HTTPHandler is what turns http-01 on in the manager.
		t.Challenge = m.HTTPHandler(nil)
	}
	return t, nil
}
