// Package triggers is hookflow's ingestion side: everything that turns an
// outside signal into a committed event and a started run. Service
// assembles its parts over one store and one inbox; each part is its own
// type, and they meet through small interfaces (Committer, Dispatch,
// Observer) whose contracts say who calls them, when, and what their
// errors mean.
//
// # Webhooks: the Ingestor
//
// Ingestor is an http.Handler for /hooks/{token}. In a hookflow process the
// HTTP edge (engine/platform/httpedge) stands in front of it: a body that
// does not arrive within the body deadline fails to read (400, connection
// closed), and beyond the cap on bodies in flight a delivery gets 503
// before it gets here. Each delivery goes through five stages, in this
// order, each a function with one job (stage_*.go):
//
//  1. admit: is this a delivery to an endpoint that may be served now?
//     The body cap (the endpoint's max_body_bytes, else
//     Config.MaxBodyBytes) answers 413, for a declared size before the
//     lookup result can show through. An unknown or disabled token gets
//     404 with the same body either way, so the reply never tells whether
//     a token existed. The IP allowlist (403) and the per-endpoint
//     token-bucket rate limit (429 + Retry-After) come before the body is
//     read; then the body is read under the cap.
//  2. verify: is it from the provider? Provider handshakes (Slack
//     url_verification, Meta hub.challenge) are answered and end the
//     pipeline. Then the method (405) and the content type (415; form
//     bodies only for triggers with FormBody), and the signature on the
//     raw bytes: 401, reason logged, never the secret. A credential that
//     cannot be read gets 503.
//  3. extract and filter: which events does it carry, and which does the
//     workflow want? The body is checked against the engine's limits
//     (nesting depth, numbers that fit a float64) and split into events
//     with their ids and types. A body that fails either gets 400 naming
//     the problem, unless its signature verified: the provider's genuine
//     event is then kept as "unparseable" (202, deduplicated by the
//     body's hash) for replay after a fix. A delivery with no event is
//     logged as ignored. The trigger's event-type list and filter
//     expression mark the events the workflow does not want "ignored":
//     logged, no run.
//  4. commit: dedupe and commit to the inbox (group commit, see below):
//     503 if the database cannot take the write, never a 2xx. The
//     Listener is told of the delivery.
//  5. respond: 202 {"event_id", "status"} and the accepted events go to
//     the Dispatcher, or, for respond: on_complete, the run's own reply
//     (Dispatch.AwaitReply), falling back to the 202 when none comes.
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
// The workflow version a delivery is received for is decoded once per
// process (interpreter.Pins), with its trigger, order key, correlation key
// and respond timeout; the route of an endpoint and the Dispatcher share
// that one decoded version.
//
// # Durability: the inbox
//
// Concurrent deliveries are group-committed: one committer goroutine takes
// every request waiting (up to Config.CommitBatch events, waiting at most
// Config.CommitWait for more) and writes them in one store.InsertEvents
// transaction, then wakes each request. A 2xx is written only after its
// batch committed. The unique (endpoint, provider event id) key in the
// inbox makes a provider retry a "duplicate", however close together or
// far apart the two deliveries arrive.
//
// # Runs: the Dispatcher
//
// After the commit the Dispatcher starts each run with interpreter.Start
// under a workflow id derived from the endpoint and the provider event id,
// so a second start of the same event is a no-op, offers the event to the
// runs waiting for its type in a wait_for_event step
// (interpreter.SignalWaiting, keyed by the value at the trigger's
// correlation_key, with the inbox id as EventID so a re-sent signal is
// taken once), and only then marks the event dispatched. Duplicates,
// ignored and rejected deliveries are offered to nobody. When Temporal
// cannot be reached the event stays pending with an exponential-backoff
// next attempt; a start that can never succeed (Temporal refuses the
// request itself, or the input cannot be encoded) ends the event as
// failed with the reason and a count in hookflow_events_failed_total. A
// body too large for a Temporal payload goes by reference
// (interpreter.EventInfo.SetBody), so every accepted body can start. The
// sweeper (Dispatcher.Run) claims due pending events with a lease
// (store.ClaimPendingEvents), so several server processes share the work
// and an event committed just before a crash is started after the
// restart.
//
// # Out-of-order events and concurrency: the gate
//
// Before a start the Dispatcher passes the event through gate
// (sequence.go), for triggers that set these options:
//
//   - sequence (with order_key): the event's sequence value (a gjson path
//     into the body, or "header:<Name>"; unix seconds, milliseconds,
//     micro- or nanoseconds, numeric strings or RFC 3339 times) is
//     compared with its key's high-water mark (store.CheckSequence, an
//     atomic compare-and-advance shared by every process). An older event
//     is marked "stale" with the newer event's id in its reason and is not
//     run; an equal one runs. Replays skip the check: they run
//     deliberately. An event without an order key or a usable value runs
//     unordered, and its reason says why.
//   - reorder_window: an event is first "held" until received_at + window
//     (durably, in the inbox). The sweeper releases a due key's held
//     events, up to its highest due value, in sequence order, one start
//     after another (store.ReleaseHeld).
//   - concurrency.limit: the run takes one of the workflow's slots
//     (store.AcquireSlot); with none free the event is "queued". Each
//     sweep frees the slots of finished runs and makes as many queued
//     events due, oldest first (store.ReleaseFinishedSlots,
//     store.WakeQueued). A run waiting in a delay, wait_for_event or
//     approval holds its slot.
//
// The gate sits at dispatch because every start passes there (fast path,
// sweeper, replays, restarts); see gate for why nothing is lost or started
// twice across a crash. hookflow_sequence_events_total counts the
// outcomes; hookflow_workflow_runs_in_flight and
// hookflow_workflow_events_queued show the slots.
//
// # The other parts
//
// Listener waits for the next verified delivery to an endpoint and keeps
// it as the endpoint's sample ("listen for a test event"). Replayer starts
// runs from an API call through the same inbox: RunManual, and Replay and
// ReplayBulk for logged events, marked as replays. Scheduler keeps one
// Temporal Schedule per schedule-triggered workflow. Pruner deletes
// events, finished runs, finished deliveries and stored blobs older than
// the retention, in small batches.
package triggers
