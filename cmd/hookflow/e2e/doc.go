// Package e2e holds end-to-end tests of the interpreter on a real embedded
// Temporal server (engine/platform/devserver) with a real SQLite store. It contains
// no production code: everything is in _test.go files, and the shared
// helpers (server, store, workers, fake provider) are in helpers_test.go so
// other engineers' tests in this package can reuse them.
//
// The package links go.temporal.io/server, so it is slow to build: run it
// on its own, `go test ./cmd/hookflow/e2e/`.
//
// Recording histories: `HOOKFLOW_RECORD_HISTORIES=1 go test ./cmd/hookflow/e2e/`
// rewrites engine/interpreter/testdata/*.json from real runs; the
// interpreter's replay test replays them on every `go test`.
package e2e
