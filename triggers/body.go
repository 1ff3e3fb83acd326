package triggers

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ErrBodyLimit marks a body that breaks a limit the engine has further
// down (nesting depth, number range): the run could never decode it, so
// the pipeline refuses it at the door instead of acknowledging it.
var ErrBodyLimit = errors.New("body exceeds an engine limit")

// checkBodyLimits returns nil when a JSON body can be decoded by every
// later stage, and otherwise an error wrapping ErrBodyLimit that names the
// limit and the byte where it was broken. It checks:
//
//   - nesting depth: Go's decoder stops at 10,000 levels and Temporal's
//     payload decoding below that, so a deeper body was acknowledged and
//     then could never start; maxDepth is far below both and far above
//     any real provider's events;
//   - numbers: every JSON number becomes a float64 in a run, and one
//     beyond its range (1e400) failed the run with "cannot unmarshal
//     number".
//
// It is one pass with no recursion, so a body nested 100,000 levels deep
// costs no more than a flat one. Syntax errors are not its business: the
// extractor reports those with their position.
func checkBodyLimits(body []byte, maxDepth int) error {
	depth := 0
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			// Skip the string, escapes included.
			for i++; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' {
					i++
				}
			}
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return fmt.Errorf("%w: the JSON body nests deeper than %d levels (at byte %d); "+
					"the limit is this server's max-body-depth setting", ErrBodyLimit, maxDepth, i)
			}
		case c == '}' || c == ']':
			depth--
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(body) && numberByte(body[j]) {
				j++
			}
			if err := checkNumber(body[i:j], i); err != nil {
				return err
			}
			i = j - 1
		}
	}
	return nil
}

func numberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

// maxPlainDigits is the longest number without an exponent that cannot
// overflow a float64 (its largest value has 309 digits), so the common
// number is never parsed here.
const maxPlainDigits = 300

// checkNumber refuses a number that does not fit a float64. at is its
// offset in the body.
func checkNumber(tok []byte, at int) error {
	if len(tok) <= maxPlainDigits && !bytes.ContainsAny(tok, "eE") {
		return nil
	}
	_, err := strconv.ParseFloat(string(tok), 64)
	if err == nil || !errors.Is(err, strconv.ErrRange) {
		return nil // a malformed number is a syntax error, the extractor's to report
	}
	shown := tok
	if len(shown) > 40 {
		shown = append(append([]byte(nil), shown[:37]...), "..."...)
	}
	return fmt.Errorf("%w: the number %s at byte %d is out of range: numbers must fit a 64-bit float (at most about 1.8e308)",
		ErrBodyLimit, shown, at)
}
