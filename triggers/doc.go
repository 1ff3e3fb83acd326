// Package triggers is hookflow's ingestion side: everything that turns an
// outside signal into a committed event and a started run.
//
// # Webhooks
//
// Service is an http.Handler for /hooks/{token}. In a hookflow process the
// HTTP edge (engine/platform/httpedge) stands in front of it: a body that does not
// arrive within the body deadline fails to read (400, connection closed),
// and beyond the cap on bodies in flight a delivery gets 503 before it
// gets here. Each delivery goes through one pipeline, in this order:
//
//  1. cap the body (the endpoint's max_body_bytes, else Config.MaxBodyBytes): 413
//  2. look up the endpoint: an unknown or disabled token gets 404 with the same
//     body either way, so the reply never tells whether a token existed
//  3. IP allowlist (403) and per-endpoint token-bucket rate limit (429 + Retry-After)
//  4. provider handshakes (Slack url_verification, Meta hub.challenge)
//  5. method (405) and content type (415; form bodies only for triggers with FormBody)
//  6. verify the signature on the raw bytes: 401, reason logged, never the secret
//  7. check the body against the engine's limits (nesting depth, numbers
//     that fit a float64) and extract event id(s) and type(s). A body
//     that fails either gets 400 naming the problem, unless its signature
//     verified: the provider's genuine event is kept as "unparseable"
//     (202, deduplicated by the body's hash) for replay after a fix
//  8. the trigger's event-type list and filter expression: "ignored", no run
//  9. dedupe and commit to the inbox (group commit, see below): 503 if the
//     database cannot take the write, never a 2xx
//  10. respond: 202 {"event_id", "status"}, or the run's own reply for
//     respond: on_complete
//
// Every delivery that reaches a known endpoint is logged in the event log,
// accepted or not, with its headers (Authorization, Cookie and the
// trigger's signature headers redacted), body, verification result and
// reason, dedupe result, status and run id. Two kinds are deliberately not
// written to the database: deliveries refused by the rate limit or the IP
// allowlist. Those protections exist to shed load, and a row per refused
// request would hand the load straight to the database; they are counted
// in the process log instead.
//
// # Durability
//
// Concurrent deliveries are group-committed: one committer goroutine takes
// every request waiting (up to Config.CommitBatch events, waiting at most
// Config.CommitWait for more) and writes them in one store.InsertEvents
// transaction, then wakes each request. A 2xx is written only after its
// batch committed. The unique (endpoint, provider event id) key in the
// inbox makes a provider retry a "duplicate", however close together or
// far apart the two deliveries arrive.
//
// After the commit an in-memory dispatcher starts each run with
// interpreter.Start under a workflow id derived from the endpoint and the
// provider event id, so a second start of the same event is a no-op,
// offers the event to the runs waiting for its type in a wait_for_event
// step (interpreter.SignalWaiting, keyed by the value at the trigger's
// correlation_key, with the inbox id as EventID so a re-sent signal is
// taken once), and only then marks the event dispatched. Duplicates,
// ignored and rejected deliveries are offered to nobody. When Temporal
// cannot be reached the event
// stays pending with an exponential-backoff next attempt; a start that can
// never succeed (Temporal refuses the request itself, or the input cannot
// be encoded) ends the event as failed with the reason and a count in
// hookflow_events_failed_total. A body too large for a Temporal payload
// goes by reference (interpreter.EventInfo.SetBody), so every accepted
// body can start. A sweeper claims
// due pending events with a lease (store.ClaimPendingEvents), so several
// server processes share the work and an event committed just before a
// crash is started after the restart.
//
// # Other triggers
//
// SyncSchedule keeps one Temporal Schedule per schedule-triggered workflow;
// RunManual starts a run from an API call through the same inbox; Listen
// waits for the next verified delivery to an endpoint and keeps it as the
// endpoint's sample; Replay and ReplayBulk start new runs of logged events,
// marked as replays; the pruner deletes events older than the retention in
// small batches.
package triggers
