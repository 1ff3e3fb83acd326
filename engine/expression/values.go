package expression

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// maxWalkDepth bounds how deep sizeOf and plain descend. The data context
// can alias itself (`{{ steps }}` rendered into a step output, `$env`), so
// a walk must stop on its own; real JSON is never nested this deep (the
// webhook ingest refuses deeper bodies long before).
const maxWalkDepth = 1000

// sizeOf estimates the JSON encoding size of v in bytes, stopping as soon
// as it passes limit (it then returns a number above limit). The estimate
// ignores escaping, so it errs low by at most the escapes; it is a guard
// against encoding a huge or self-referencing value, not a measurement.
func sizeOf(v any, limit int) int {
	n := 0
	sizeWalk(v, limit, 0, &n)
	return n
}

func sizeWalk(v any, limit, depth int, n *int) {
	if *n > limit {
		return
	}
	if depth > maxWalkDepth {
		*n = limit + 1
		return
	}
	switch x := v.(type) {
	case nil:
		*n += 4
	case bool:
		*n += 5
	case string:
		*n += len(x) + 2
	case int, float64, int64:
		*n += 8
	case json.Number:
		*n += len(x)
	case time.Time:
		*n += 32
	case map[string]any:
		*n += 2
		for k, e := range x {
			*n += len(k) + 4
			sizeWalk(e, limit, depth+1, n)
			if *n > limit {
				return
			}
		}
	case []any:
		*n += 2
		for _, e := range x {
			*n++
			sizeWalk(e, limit, depth+1, n)
			if *n > limit {
				return
			}
		}
	case map[string]string:
		*n += 2
		for k, e := range x {
			*n += len(k) + len(e) + 6
		}
	case []string:
		*n += 2
		for _, e := range x {
			*n += len(e) + 3
		}
	case []int:
		walkLeaves(len(x), 8, limit, depth, n)
	case []float64:
		walkLeaves(len(x), 8, limit, depth, n)
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			*n += 2
			for i := 0; i < rv.Len() && *n <= limit; i++ {
				*n++
				sizeWalk(rv.Index(i).Interface(), limit, depth+1, n)
			}
		case reflect.Map:
			*n += 2
			it := rv.MapRange()
			for it.Next() && *n <= limit {
				*n += 4
				sizeWalk(it.Key().Interface(), limit, depth+1, n)
				sizeWalk(it.Value().Interface(), limit, depth+1, n)
			}
		case reflect.String:
			*n += rv.Len() + 2
		default:
			*n += 16
		}
	}
}

// walkLeaves adds for a slice of count numbers of size bytes each what
// the reflection walk (sizeWalk's default case) adds, element by element
// and with the same stops, without boxing every element: a range such as
// 1..400000 is an []int, and boxing it cost 3 MB of garbage and most of
// the time of an expression that reads it. Sizes are work units in
// workflow code (see readCost), part of the replay contract, so they must
// stay exactly what the reflection walk gives (TestSizeOfNumberSlices).
func walkLeaves(count, size, limit, depth int, n *int) {
	*n += 2
	for i := 0; i < count && *n <= limit; i++ {
		*n++
		if *n > limit {
			return
		}
		if depth+1 > maxWalkDepth {
			*n = limit + 1
			return
		}
		*n += size
	}
}

// plain returns a deep copy of v made of plain JSON-model values, so an
// evaluation's result never aliases the live data context: a step output
// holding `{{ steps }}` is a snapshot, not the map that the next step's
// output is added to (which made the output contain itself). It fails
// when the copy would be larger than limit bytes (see sizeOf) or when v
// holds a function, which is no data.
func plain(v any, limit int) (any, error) {
	switch v.(type) {
	case map[string]any, []any:
	case func() time.Time:
		return nil, fmt.Errorf("now is a function, not a value: call it, as now()")
	default:
		if reflect.TypeOf(v) != nil && reflect.TypeOf(v).Kind() == reflect.Func {
			return nil, fmt.Errorf("a function is not a value")
		}
		return v, nil
	}
	n := 0
	out, err := plainCopy(v, limit, 0, &n)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// errTooLarge is returned by plainCopy; the caller words it with the limit.
var errTooLarge = fmt.Errorf("too large")

func plainCopy(v any, limit, depth int, n *int) (any, error) {
	if *n > limit {
		return nil, errTooLarge
	}
	if depth > maxWalkDepth {
		return nil, fmt.Errorf("value is nested deeper than %d levels (does it contain itself?)", maxWalkDepth)
	}
	switch x := v.(type) {
	case map[string]any:
		*n += 2
		out := make(map[string]any, len(x))
		for k, e := range x {
			*n += len(k) + 4
			c, err := plainCopy(e, limit, depth+1, n)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		*n += 2
		out := make([]any, len(x))
		for i, e := range x {
			*n++
			c, err := plainCopy(e, limit, depth+1, n)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case nil, bool, string, int, float64, int64, json.Number, time.Time, time.Duration:
		sizeWalk(v, limit, depth, n)
		if *n > limit {
			return nil, errTooLarge
		}
		return v, nil
	}
	if rt := reflect.TypeOf(v); rt.Kind() == reflect.Func {
		return nil, fmt.Errorf("a function is not a value")
	}
	// Typed Go values come from Go callers, never from the live context
	// maps; they are checked for size but not copied.
	sizeWalk(v, limit, depth, n)
	if *n > limit {
		return nil, errTooLarge
	}
	return v, nil
}
