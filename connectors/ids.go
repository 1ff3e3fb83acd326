package connectors

import (
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ErrNotNumericID says a value is not a positive whole number.
var ErrNotNumericID = errors.New("not a positive whole number")

// ErrIDTooLarge says a number is above 2^53, where JSON numbers (float64)
// can no longer be exact: such ids must be passed as strings.
var ErrIDTooLarge = errors.New("too large to be exact as a JSON number")

var digitsOnly = regexp.MustCompile(`^[0-9]{1,20}$`)

// NumericID reads a provider's numeric record id from an input value that
// may be a string of digits ("450789469") or a number, as a typed template
// such as {{ trigger.id }} gives. It returns the digits; "" with a nil error
// for a nil value, so callers decide whether the id is required.
func NumericID(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		if s := strings.TrimSpace(v); digitsOnly.MatchString(s) {
			return s, nil
		}
	case json.Number:
		if digitsOnly.MatchString(v.String()) {
			return v.String(), nil
		}
	case int64:
		if v > 0 {
			return strconv.FormatInt(v, 10), nil
		}
	case int:
		if v > 0 {
			return strconv.Itoa(v), nil
		}
	case float64:
		if v > 1<<53 {
			return "", ErrIDTooLarge
		}
		if v > 0 && v == math.Trunc(v) {
			return strconv.FormatInt(int64(v), 10), nil
		}
	}
	return "", ErrNotNumericID
}
