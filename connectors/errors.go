package connectors

import (
	"errors"
	"fmt"
	"time"
)

// Class says how the engine should treat a failed action.
type Class string

// The error classes. The interpreter maps them onto Temporal's retry
// semantics: Retryable is retried with the step's policy, Permanent is never
// retried, and RateLimited is retried after the delay the provider asked for.
const (
	ClassRetryable   Class = "retryable"
	ClassPermanent   Class = "permanent"
	ClassRateLimited Class = "rate_limited"
)

// Error is a classified connector failure. Message is safe to show to users
// and to store in run history: it never contains a secret.
type Error struct {
	Class Class
	// Status is the provider's HTTP status, when there was one.
	Status int
	// RetryAfter is the wait the provider asked for (rate-limited errors).
	RetryAfter time.Duration
	// Message keeps the provider's own error message where there is one.
	Message string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s (HTTP %d): %s", e.Class, e.Status, msg)
	}
	return fmt.Sprintf("%s: %s", e.Class, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable classifies err as worth retrying (network errors, 5xx, timeouts).
func Retryable(err error) error { return &Error{Class: ClassRetryable, Err: err} }

// Permanent classifies err as one that retrying cannot fix (4xx, bad input).
func Permanent(err error) error { return &Error{Class: ClassPermanent, Err: err} }

// RateLimited classifies err as a rate limit that clears after wait.
func RateLimited(err error, wait time.Duration) error {
	return &Error{Class: ClassRateLimited, RetryAfter: wait, Err: err}
}

// ClassOf returns the class of err. Unclassified errors are retryable,
// because a transient failure wrongly marked permanent loses work while the
// reverse only costs retries.
func ClassOf(err error) Class {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Class
	}
	return ClassRetryable
}

// NewError returns a classified error carrying a provider status and a
// message that is safe to show users. Connector-specific checks (see
// ResponseCheck) use it for failures a provider reports inside a 2xx body.
func NewError(class Class, status int, message string) error {
	return &Error{Class: class, Status: status, Message: message}
}

// InputError is a permanent error for one input field that an action's
// own checks refuse (a limit the field's type cannot express, such as a
// provider's maximum text length), in the shape the registry's validation
// uses: "input.<path>: <problem>". path may go inside the field, as in
// "components[2].type".
func InputError(path, problem string) error {
	return Permanent(fieldError("input."+path, path, problem))
}

// Annotate appends detail to the message in parentheses, as a
// ResponseCheck does with the provider's error code or correlation id. An
// empty detail changes nothing.
func (e *Error) Annotate(detail string) {
	if detail != "" {
		e.Message += " (" + detail + ")"
	}
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

// RetryAfterOf returns the wait a classified error asks for (zero when it
// names none).
func RetryAfterOf(err error) time.Duration {
	if ce := AsError(err); ce != nil {
		return ce.RetryAfter
	}
	return 0
}
