package signature

import (
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// The reasons verifiers give, as logged in the event log. They are fixed
// words, optionally followed by the header or field they concern, so the log
// can be filtered by them and a reader sees at once what to fix. None of
// them ever contains a secret or a signature value.
const (
	ReasonMissingHeader   = "missing header"
	ReasonMalformedHeader = "malformed header"
	ReasonBadSignature    = "bad signature"
	ReasonStaleTimestamp  = "stale timestamp"
	ReasonFutureTimestamp = "timestamp in the future"
	ReasonMissingSecret   = "credential has no"
	ReasonBadCredentials  = "bad credentials"
)

// DefaultTolerance is how far a signed timestamp may be from the receiver's
// clock, in either direction, unless a scheme says otherwise. Five minutes
// is what Stripe, Slack, HubSpot and Standard Webhooks all document.
const DefaultTolerance = 5 * time.Minute

// MissingHeader rejects a delivery that lacks the named header.
func MissingHeader(name string) error {
	return connectors.Reject(ReasonMissingHeader + " " + name)
}

// MalformedHeader rejects a delivery whose named header cannot be parsed.
func MalformedHeader(name string) error {
	return connectors.Reject(ReasonMalformedHeader + " " + name)
}

// BadSignature rejects a delivery whose signature does not match.
func BadSignature() error { return connectors.Reject(ReasonBadSignature) }

// MissingSecret rejects a delivery because the credential lacks the named
// field. Nothing can be verified without it, so nothing is accepted: an
// endpoint that is not yet configured must not become an open door.
func MissingSecret(field string) error {
	return connectors.Reject(ReasonMissingSecret + " " + field)
}

// ParseUnix parses a decimal timestamp counted in unit since the Unix epoch
// (time.Second for most providers, time.Millisecond for HubSpot).
func ParseUnix(s string, unit time.Duration) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	switch unit {
	case time.Millisecond:
		return time.UnixMilli(n), true
	case time.Second, 0:
		return time.Unix(n, 0), true
	}
	return time.Unix(0, 0).Add(time.Duration(n) * unit), true
}

// CheckTimestamp rejects a signed timestamp more than tolerance away from
// now. Old timestamps are replays ("stale timestamp"); timestamps from the
// future are refused too, since accepting them would stretch the replay
// window by however far ahead the attacker chose.
func CheckTimestamp(ts, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	switch d := now.Sub(ts); {
	case d > tolerance:
		return connectors.Reject(ReasonStaleTimestamp)
	case d < -tolerance:
		return connectors.Reject(ReasonFutureTimestamp)
	}
	return nil
}
