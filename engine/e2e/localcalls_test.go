package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/interpreter"
)

// localCallsDef has one call with a short timeout (a local activity since
// interpreter version 4) and one without a timeout (a regular activity).
const localCallsDef = `{"name": "local calls", "trigger": {"type": "webhook"}, "steps": [
	{"id": "short", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live",
		"input": {"text": "short {{ trigger.n }}"}, "timeout": "5s"},
	{"id": "long", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live",
		"input": {"text": "long {{ trigger.n }}"}}]}`

// TestShortCallsRunAsLocalActivities runs a short call and a call without
// a timeout on the real server and checks, in the history, that the short
// one and both run-summary saves were local activities (markers) while
// the other call was a regular activity, and that each call had exactly
// one effect.
func TestShortCallsRunAsLocalActivities(t *testing.T) {
	s := StartStack(t)
	s.StartWorker(t)
	in := Input(t, "wf_local", "evt_local_1", localCallsDef, `{"n": 7}`)
	if _, err := interpreter.Start(context.Background(), s.Client, s.TaskQueue, in); err != nil {
		t.Fatal(err)
	}
	res, err := s.Await(t, in.RunID, time.Minute)
	if err != nil || res.Status != interpreter.StatusCompleted {
		t.Fatalf("run: %v, status %s", err, res.Status)
	}
	if keys, maxPer := s.Sink.Effects(); keys != 2 || maxPer != 1 {
		t.Errorf("sink saw %d effects, max %d per key; want 2, each once", keys, maxPer)
	}
	var hist struct {
		Events []struct {
			EventType string `json:"eventType"`
			Marker    *struct {
				MarkerName string `json:"markerName"`
			} `json:"markerRecordedEventAttributes"`
			Scheduled *struct {
				ActivityType struct {
					Name string `json:"name"`
				} `json:"activityType"`
			} `json:"activityTaskScheduledEventAttributes"`
		} `json:"events"`
	}
	if err := json.Unmarshal(s.History(t, in.RunID), &hist); err != nil {
		t.Fatal(err)
	}
	var locals int
	var scheduled []string
	for _, e := range hist.Events {
		switch {
		case e.Marker != nil && e.Marker.MarkerName == "LocalActivity":
			locals++
		case e.Scheduled != nil:
			scheduled = append(scheduled, e.Scheduled.ActivityType.Name)
		}
	}
	// Two saves and the short call are local; only the long call is
	// scheduled through Temporal.
	if locals != 3 || strings.Join(scheduled, ",") != interpreter.ActivityAction {
		t.Errorf("history has %d local activity markers and scheduled %v; want 3 and [%s]", locals, scheduled, interpreter.ActivityAction)
	}
	if strings.Contains(s.HistoryText(t, in.RunID), Secret) {
		t.Fatal("the credential secret appears in workflow history")
	}
	s.Record(t, in.RunID, "local_calls")
}
