// Package httpedge hardens the HTTP listener that faces the internet: the
// part of a hookflow process a provider, a scanner or an attacker reaches
// first.
//
// It has two jobs, each wired into the server by engine/app:
//
//   - Guard bounds what a slow or hostile client can hold. A request body
//     must arrive within a deadline counted from the start of the request
//     (a client that dribbles one byte every few seconds gets its
//     connection closed), and only so many webhook bodies are received at
//     once: beyond the cap a delivery is answered 503 with Retry-After at
//     once instead of queueing without limit. The deadline is set per
//     request on the connection, not as http.Server.ReadTimeout, because
//     that one also runs out under long polls and synchronous webhook
//     replies, which wait after their body has arrived.
//   - NewTLS serves HTTPS, either from a certificate and key in files that
//     are re-read when they change (CertFiles), or with certificates
//     obtained and renewed automatically from an ACME certificate
//     authority for the configured host names.
package httpedge
