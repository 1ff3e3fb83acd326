// Package httpedge hardens the HTTP listener that faces the internet: the
// part of a hookflow process a provider, a scanner or an attacker reaches
// first.
//
// It has two jobs, each wired into the server by engine/platform/app:
//
//   - Guard bounds what a slow or hostile client can hold. A request body
//     must arrive within a deadline counted from the start of the request
//     (a client that dribbles one byte every few seconds gets its
//     connection closed), and only so many webhook bodies are received at
//     once: beyond the cap a delivery is answered 503 with Retry-After at
//     once instead of queueing without limit. The deadline is set per
//     request (http.ResponseController), not as http.Server.ReadTimeout,
//     so that it is counted apart from the header timeout and a body cut
//     off gets a reply that says why and is counted in
//     hookflow_http_guard_refusals_total. Neither bounds the time a
//     handler may take once the body is in: long polls and synchronous
//     webhook replies wait for minutes by design, which is also why the
//     server sets no WriteTimeout.
//   - NewTLS serves HTTPS, either from a certificate and key in files that
//     are re-read when they change (CertFiles), or with certificates
//     obtained and renewed automatically from an ACME certificate
//     authority for the configured host names.
package httpedge
