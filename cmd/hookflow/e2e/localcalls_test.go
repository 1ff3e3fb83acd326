package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/interpreter"
)

// callSteps are one call with a short timeout (a local activity since
// interpreter version 4) and one without a timeout (a regular activity).
const callSteps = `
	{"id": "short", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live",
		"input": {"text": "short {{ trigger.n }}"}, "timeout": "5s"},
	{"id": "long", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live",
		"input": {"text": "long {{ trigger.n }}"}}`

// localCallsDef is callSteps alone.
const localCallsDef = `{"name": "local calls", "trigger": {"type": "webhook"}, "steps": [` + callSteps + `]}`

// TestShortCallsRunAsLocalActivities runs a short call and a call without
// a timeout on the real server and checks, in the history, that the short
// one and the run-summary saves were local activities (markers) while the
// other call was a regular activity, and that each call had exactly one
// effect. A run its starter lists (RunInput.Listed, as the triggers
// dispatcher starts them) saves its summary once, at the end.
func TestShortCallsRunAsLocalActivities(t *testing.T) {
	s := StartStack(t)
	s.StartWorker(t)
	for i, tc := range []struct {
		listed bool
		saves  int
		record string
	}{
		{listed: false, saves: 2, record: "local_calls"},
		{listed: true, saves: 1, record: "local_calls_listed"},
	} {
		in := Input(t, "wf_local", fmt.Sprintf("evt_local_%d", i+1), localCallsDef, `{"n": 7}`)
		in.Listed = tc.listed
		if _, err := interpreter.Start(context.Background(), s.Client, s.TaskQueue, in); err != nil {
			t.Fatal(err)
		}
		res, err := s.Await(t, in.RunID, time.Minute)
		if err != nil || res.Status != interpreter.StatusCompleted {
			t.Fatalf("listed=%v run: %v, status %s", tc.listed, err, res.Status)
		}
		if keys, maxPer := s.Sink.Effects(); keys != 2*(i+1) || maxPer != 1 {
			t.Errorf("listed=%v: sink saw %d effects, max %d per key; want %d, each once", tc.listed, keys, maxPer, 2*(i+1))
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
		// The saves and the short call are local; only the long call is
		// scheduled through Temporal.
		if locals != tc.saves+1 || strings.Join(scheduled, ",") != interpreter.ActivityAction {
			t.Errorf("listed=%v: history has %d local activity markers and scheduled %v; want %d and [%s]",
				tc.listed, locals, scheduled, tc.saves+1, interpreter.ActivityAction)
		}
		if strings.Contains(s.HistoryText(t, in.RunID), Secret) {
			t.Fatal("the credential secret appears in workflow history")
		}
		s.Record(t, in.RunID, tc.record)
	}
}
