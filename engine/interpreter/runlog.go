package interpreter

import (
	"encoding/json"
	"time"
)

// Step statuses in the run log.
const (
	StepRunning   = "running"
	StepWaiting   = "waiting"
	StepSucceeded = "succeeded"
	StepFailed    = "failed"
	// StepContinued is a step that failed and whose on_error let the run
	// go on (continue or goto).
	StepContinued = "continued"
	// StepFiltered is a filter step whose condition was false.
	StepFiltered = "filtered"
)

// RunLog is the live state of a run, returned by the QueryRunLog query and
// stored (Steps) as the run's step log when it ends.
type RunLog struct {
	RunID      string       `json:"run_id"`
	WorkflowID string       `json:"workflow_id"`
	Version    int          `json:"version"`
	Hash       string       `json:"hash,omitempty"`
	EventID    string       `json:"event_id,omitempty"`
	Status     string       `json:"status"`
	Error      string       `json:"error,omitempty"`
	StartedAt  time.Time    `json:"started_at"`
	EndedAt    *time.Time   `json:"ended_at,omitempty"`
	Steps      []StepRecord `json:"steps"`
	Response   *Response    `json:"response,omitempty"`
}

// StepRecord is one step execution. Path identifies it within the run:
// the step id, prefixed inside foreach bodies ("notify[2].send") and
// parallel branches ("fan.slack.post"). Input and Output are JSON,
// truncated to Options.LogValueBytes: a truncated value is
// {"$truncated": true, "bytes": n, "preview": "..."}. Times are workflow
// times.
type StepRecord struct {
	Path       string          `json:"path"`
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Status     string          `json:"status"`
	Input      json.RawMessage `json:"input,omitempty"`
	Output     json.RawMessage `json:"output,omitempty"`
	Error      string          `json:"error,omitempty"`
	ErrorClass string          `json:"error_class,omitempty"`
	Attempts   int             `json:"attempts,omitempty"`
	// Logs are the lines a code step wrote with console.log.
	Logs []string `json:"logs,omitempty"`
	// Warnings are things the step did that the author should know of
	// although it succeeded, such as a foreach that ran only the first
	// max_items items ("truncated: 250 of 1,000 items").
	Warnings  []string   `json:"warnings,omitempty"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
}

// logValue encodes v for the run log, truncated to limit bytes.
func logValue(v any, limit int) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"$unencodable": err.Error()})
		return b
	}
	if len(b) <= limit {
		return b
	}
	preview := b[:limit]
	// Do not cut a UTF-8 sequence in half.
	for len(preview) > 0 && preview[len(preview)-1]&0xC0 == 0x80 {
		preview = preview[:len(preview)-1]
	}
	if len(preview) > 0 && preview[len(preview)-1] >= 0xC0 {
		preview = preview[:len(preview)-1]
	}
	out, _ := json.Marshal(map[string]any{"$truncated": true, "bytes": len(b), "preview": string(preview)})
	return out
}
