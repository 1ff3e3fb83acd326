// Package interpreter runs hookflow workflow definitions as durable
// Temporal workflows.
//
// One workflow type, the function RunWorkflow returns (registered as
// WorkflowName), interprets every definition. Its input (RunInput) is the
// pinned definition snapshot with its hash, the event and per-run Options,
// so editing or deleting a workflow never changes a run that has started. filter, branch, switch,
// map, foreach, parallel, delay, wait_for_event, respond, stop and fail run
// in workflow code; action, http, blob loading, the run summary and
// everything else that touches the outside world run as activities.
//
// # Step kinds
//
// Each step kind runs from its own kind_<name>.go, a small type whose run
// method the interpreter loop (runList, exec) calls through the stepKinds
// table, keyed by the same definition.Kind whose spec (fields, validation,
// graph moves) lives in engine/definition/kind_<name>.go. The loop owns
// what every step shares: the run-log record, on_error, next pointers and
// the stop of a filtered or stopped list; steps.go runs a step's
// activities under its retry policy and timeout, and eval.go evaluates
// expressions.
//
// An action whose connector declares connectors.DurableDelivery (the
// webhook connector's send) is not one activity call but a delivery: the
// interpreter asks the registry given to RunWorkflow for the capability,
// waits out the schedule it returns as durable timers and records every
// attempt through the Deliver activity. No connector is known by name.
//
// # Determinism
//
// Workflow code has no wall clock (expressions' now() is workflow.Now), no
// randomness and no unsorted map iteration; expressions compile through one
// process-wide cache keyed by source. The interpreter version is recorded
// with workflow.GetVersion at the start of every run (see versionChangeID);
// every later behaviour change must be guarded by it, and testdata/ holds
// recorded histories that TestReplayRecordedHistories replays.
//
// # Secrets
//
// Steps name credentials; the action and http activities read them from
// the store and decrypt them in their own memory. Secrets never appear in
// workflow input, output or history.
//
// # Errors and retries
//
// Activities fail with a Temporal ApplicationError whose type is the
// connector error class: "permanent" is non-retryable, "rate_limited" sets
// NextRetryDelay to the provider's Retry-After, "retryable" follows the
// step's retry policy. A step's on_error decides what a final failure does:
// fail the run, continue (the step's output becomes {"error": {...}}) or go
// to another step.
//
// # Large outputs
//
// An activity whose output encodes to more than Limits.BlobThreshold stores
// it as a blob and returns {"$blob": id, "bytes": n}; a later step that
// reads it is evaluated in the Resolve activity, which loads the blob.
//
// # Replies, waits and ordering
//
// StartAndAwaitResponse starts a run with update-with-start and returns the
// reply a respond step sets (or the run's end). SignalWaiting routes events
// through a per-(type, key) wait router to runs in wait_for_event steps;
// Approve answers approvals. StartOrdered queues runs of one order key in a
// mailbox workflow that runs them one after another.
package interpreter
