package connectors

import "time"

// DurableDelivery is an optional capability of an action whose every Run is
// one delivery attempt of a message that must arrive, like an outgoing
// webhook. The engine then runs the retries itself instead of an
// activity's retry policy: it waits out each pause of the schedule as a
// durable timer (a delivery due in ten hours survives restarts), records
// every attempt in the store's deliveries, and moves the delivery to the
// dead-letter list when the schedule runs out or an attempt fails with a
// permanent error, which fails the step. A dead delivery can be sent again
// by hand (POST /api/v1/deliveries/{id}/retry).
//
// An action declares it by setting Action.Durable; the interpreter asks
// the registry for it (Registry.DurableDelivery) by connector and action
// name, so adding such a connector needs no change to the engine.
//
// Contract:
//
//   - Schedule is called from workflow code, once per step run and again
//     whenever Temporal replays the run, so it must be deterministic: no
//     clock, no I/O, no randomness, no state; the same input gives the
//     same schedule on every worker that may replay the run.
//   - It returns the wait before each attempt: schedule[0] before the
//     first (normally 0), schedule[i] before attempt i+1; its length is the
//     number of attempts and must be at least one. A step's own
//     retry.max_attempts may shorten it.
//   - An error means the step's input asks for a schedule that cannot be
//     run; the step fails permanently with the error's text, which should
//     name the input field ("retry_schedule: …").
//   - Destination is called by the delivery activity (not workflow code)
//     before each first attempt. It names where the delivery goes, as the
//     dead-letter list and delivery health group it: a URL for a webhook.
//     An error means the input names no destination; the step fails
//     permanently with the error's text.
//   - Adding or removing the capability on an action changes what runs
//     already in flight do when they replay; it is an interpreter change
//     like any other and must be versioned there.
type DurableDelivery interface {
	Schedule(input Values) ([]time.Duration, error)
	Destination(input Values) (string, error)
}

// DurableDelivery returns the durable-delivery capability of a connector's
// action, or nil when the action has none or is not registered.
func (r *Registry) DurableDelivery(connector, action string) DurableDelivery {
	a, err := r.Action(connector, action)
	if err != nil {
		return nil
	}
	return a.Durable
}
