package webhook

import (
	"slices"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

func TestSendDeliversDurably(t *testing.T) {
	reg := connectors.NewRegistry()
	reg.MustRegister(New())
	d := reg.DurableDelivery(Name, "send")
	if d == nil {
		t.Fatal("the send action does not declare durable delivery")
	}
	if reg.DurableDelivery(Name, "nosuch") != nil || reg.DurableDelivery("nosuch", "send") != nil {
		t.Error("an unknown connector or action has durable delivery")
	}
	tests := []struct {
		name    string
		input   connectors.Values
		want    []time.Duration
		wantErr string
	}{
		{name: "no schedule", input: connectors.Values{"url": "https://example.com"}, want: DefaultSchedule},
		{name: "empty schedule", input: connectors.Values{"retry_schedule": ""}, want: DefaultSchedule},
		{name: "blank schedule", input: connectors.Values{"retry_schedule": "  "}, want: DefaultSchedule},
		{name: "not a string", input: connectors.Values{"retry_schedule": 5.0}, want: DefaultSchedule},
		{name: "own schedule", input: connectors.Values{"retry_schedule": "0s,5s,1d"}, want: []time.Duration{0, 5 * time.Second, 24 * time.Hour}},
		{name: "bad entry", input: connectors.Values{"retry_schedule": "0s,soon"},
			wantErr: `retry_schedule: retry schedule entry 2 ("soon"): want a duration such as 5m: time: invalid duration "soon"`},
		{name: "too long a pause", input: connectors.Values{"retry_schedule": "0s,8d"},
			wantErr: "retry_schedule: retry schedule entry 2 (192h0m0s) must be between 0 and 168h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.Schedule(tt.input)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("Schedule = %v, %v; want %v", got, err, tt.want)
			}
			got[0] = time.Hour // the caller owns the result
			if DefaultSchedule[0] != 0 {
				t.Fatal("changing a returned schedule changed DefaultSchedule")
			}
		})
	}
	if dest, err := d.Destination(connectors.Values{"url": "https://example.com/in"}); dest != "https://example.com/in" || err != nil {
		t.Errorf("Destination = %q, %v; want the url", dest, err)
	}
	if _, err := d.Destination(connectors.Values{"url": 5.0}); err == nil || err.Error() != "input.url is empty" {
		t.Errorf("Destination without a url: %v", err)
	}
}
