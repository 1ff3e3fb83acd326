package webhook

import (
	"errors"
	"fmt"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// durableSend is the send action's connectors.DurableDelivery: one Run is
// one attempt, and the engine waits out the step's retry_schedule between
// attempts as durable timers.
type durableSend struct{}

var _ connectors.DurableDelivery = durableSend{}

// Schedule returns the schedule the input's retry_schedule writes, or
// DefaultSchedule when it writes none. A value that is not a string (which
// validation refuses before a run) also gives the default. It reads only
// its input, as the contract demands.
func (durableSend) Schedule(input connectors.Values) ([]time.Duration, error) {
	raw, ok := input["retry_schedule"].(string)
	if !ok || raw == "" {
		return append([]time.Duration(nil), DefaultSchedule...), nil
	}
	s, err := ParseSchedule(raw)
	if err != nil {
		return nil, fmt.Errorf("retry_schedule: %w", err)
	}
	return s, nil
}

// Destination is the input's url, which the dead-letter list and delivery
// health group deliveries by.
func (durableSend) Destination(input connectors.Values) (string, error) {
	if u := input.String("url"); u != "" {
		return u, nil
	}
	return "", errors.New("input.url is empty")
}
