package expression

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// JSON numbers in the data model.
//
// encoding/json decodes every number into a float64, which keeps integers
// exact only up to 2^53 and makes string(5733011112023) read
// "5.733011112023e+12". In exact mode (Scope.WithExactNumbers, interpreter
// version 8 and later) an integer is an int instead, for every integer
// that fits 64 bits, so ids keep every digit from the event to the
// request that carries them on, and print as written. Numbers with a
// fraction or an exponent stay float64. Integers beyond 64 bits (rare: no
// provider we know sends them as numbers) become float64, as before.

// DecodeJSON decodes raw into the JSON model with exact integers.
func DecodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return ExactNumbers(v), nil
}

// ExactNumbers replaces every json.Number in v (as a decoder with
// UseNumber leaves them) by an int when it is an integer that fits 64
// bits, and by a float64 otherwise. Maps and slices are changed in place.
func ExactNumbers(v any) any { return numbers(v, true) }

// FloatNumbers replaces every json.Number in v by the float64 that
// encoding/json would have decoded, for callers that must keep the
// float64 model (runs recorded before exact numbers).
func FloatNumbers(v any) any { return numbers(v, false) }

func numbers(v any, exact bool) any {
	switch x := v.(type) {
	case json.Number:
		return number(x, exact)
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e, exact)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e, exact)
		}
	}
	return v
}

func number(n json.Number, exact bool) any {
	s := n.String()
	if exact && !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return int(i)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of float64's range: encoding/json would refuse the whole
		// document; keep the digits as text rather than fail here.
		return s
	}
	return f
}

// WithExactNumbers returns a copy of the scope whose gjson lookups give
// integers as int (see DecodeJSON) instead of float64.
func (s *Scope) WithExactNumbers() *Scope {
	c := *s
	c.exact = true
	return &c
}
