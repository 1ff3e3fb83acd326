package connectors

// Client is the shared HTTP client every connector uses. The connectors SDK
// engineer replaces this file with the full implementation (timeouts,
// response caps, error classification, pagination, SSRF guard).
type Client struct{}
