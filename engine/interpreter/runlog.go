package interpreter

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookflow/hookflow/engine/store"
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
	// StepRetrying is a running step whose last attempt failed and whose
	// next attempt is due. Only the run page shows it (StepViews): the
	// run itself never sees the attempts between its call and the outcome.
	StepRetrying = "retrying"
)

// RunLog is the live state of a run, returned by the QueryRunLog query and
// stored (Steps) as the run's step log when it ends.
type RunLog struct {
	RunID      string `json:"run_id"`
	WorkflowID string `json:"workflow_id"`
	Version    int    `json:"version"`
	Hash       string `json:"hash,omitempty"`
	EventID    string `json:"event_id,omitempty"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	// Name is the rendered trigger.run_name; NameWarning says why the
	// fallback name was used (renderRunName).
	Name        string       `json:"name,omitempty"`
	NameWarning string       `json:"name_warning,omitempty"`
	StartedAt   time.Time    `json:"started_at"`
	EndedAt     *time.Time   `json:"ended_at,omitempty"`
	Steps       []StepRecord `json:"steps"`
	Response    *Response    `json:"response,omitempty"`
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

// StepView is a step record as the run page shows it: with its attempts
// and, while it retries, where it stands ("attempt 3 of 10, last error:
// …, next attempt at …"). Attempts (the record's count) stays a number, as
// stored; AttemptLog holds the kept attempts, at most
// store.MaxAttemptsPerStep of them (the newest), and AttemptCount how many
// the step made.
type StepView struct {
	StepRecord
	AttemptLog   []store.StepAttempt `json:"attempt_log"`
	AttemptCount int                 `json:"attempt_count"`
	// While Status is StepRetrying: Attempt is the attempt that is due
	// (or under way), MaxAttempts the step's budget (0: unlimited),
	// LastError the last failed attempt's error, NextAttemptAt when the
	// next attempt is due (in the past once it has started).
	Attempt       int        `json:"attempt,omitempty"`
	MaxAttempts   int        `json:"max_attempts,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}

// StepViews merges a run's step log (RunLog.Steps as JSON, live or
// saved) with the attempts the store kept for it (store.ListStepAttempts,
// by step path). A step that made one attempt has no kept row (the hot
// path writes none); its one attempt is read from the step record itself.
func StepViews(steps json.RawMessage, kept map[string]store.StepAttempts) ([]StepView, error) {
	var recs []StepRecord
	if len(steps) > 0 {
		if err := json.Unmarshal(steps, &recs); err != nil {
			return nil, fmt.Errorf("decoding step log: %w", err)
		}
	}
	out := make([]StepView, len(recs))
	for i, rec := range recs {
		v := StepView{StepRecord: rec, AttemptLog: []store.StepAttempt{}}
		k := kept[rec.Path]
		v.AttemptCount = max(k.Count, rec.Attempts)
		switch {
		case len(k.Attempts) > 0:
			v.AttemptLog = k.Attempts
		case rec.Attempts == 1 && rec.EndedAt != nil:
			v.AttemptLog = []store.StepAttempt{onlyAttempt(rec)}
		}
		if n := len(k.Attempts); n > 0 && rec.Status == StepRunning {
			last := k.Attempts[n-1]
			if last.Status == store.AttemptFailed && last.NextAttemptAt != nil {
				v.Status = StepRetrying
				v.Attempt, v.MaxAttempts, v.LastError, v.NextAttemptAt = last.Attempt+1, last.MaxAttempts, last.Error, last.NextAttemptAt
			}
		}
		out[i] = v
	}
	return out, nil
}

// onlyAttempt is the one attempt of a step that made one, from its record.
func onlyAttempt(rec StepRecord) store.StepAttempt {
	a := store.StepAttempt{Attempt: 1, Status: store.AttemptSucceeded, StartedAt: rec.StartedAt, Error: rec.Error,
		ErrorClass: rec.ErrorClass}
	if rec.Error != "" {
		a.Status = store.AttemptFailed
	}
	if rec.EndedAt != nil {
		a.Duration = rec.EndedAt.Sub(rec.StartedAt)
		a.DurationMS = a.Duration.Milliseconds()
	}
	a.HTTPStatus = outputStatus(decodeOutput(rec.Output))
	return a
}

// decodeOutput decodes a logged output for a look at its fields; a
// truncated or absent one gives nil.
func decodeOutput(raw json.RawMessage) any {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}
