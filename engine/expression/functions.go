package expression

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // every worker must resolve time zones the same way, whatever its OS has installed
	"unicode"

	"github.com/expr-lang/expr"
)

// functions are the helpers every expression can call (see the package
// doc). Each declares its signatures so the checker catches wrong calls
// when a definition is saved.
var functions = []expr.Option{
	helper("formatDate", fnFormatDate,
		new(func(any, string) string), new(func(any, string, string) string)),
	helper("parseDate", fnParseDate,
		new(func(string) time.Time), new(func(string, string) time.Time), new(func(string, string, string) time.Time)),
	helper("addDuration", fnAddDuration, new(func(any, string) time.Time)),
	helper("formatMoney", fnFormatMoney, new(func(any, string) string)),
	helper("title", fnTitle, new(func(string) string)),
	helper("slug", fnSlug, new(func(string) string)),
	helper("default", fnDefault, new(func(any, any) any)),
	helper("coalesce", fnCoalesce),
	helper("json", fnJSON, new(func(any) string)),
	helper("fromjson", fnFromJSON, new(func(string) any)),
	helper("get", fnGet, new(func(any, string) any)),
}

// helperNames are the names of functions, for "did you mean" suggestions.
var helperNames []string

// helper declares one function of functions and records its name.
func helper(name string, fn func(...any) (any, error), types ...any) expr.Option {
	helperNames = append(helperNames, name)
	return expr.Function(name, fn, types...)
}

func fnFormatDate(args ...any) (any, error) {
	t, err := toTime(args[0])
	if err != nil {
		return nil, fmt.Errorf("formatDate: %w", err)
	}
	if len(args) == 3 {
		loc, err := time.LoadLocation(args[2].(string))
		if err != nil {
			return nil, fmt.Errorf("formatDate: unknown time zone %q", args[2])
		}
		t = t.In(loc)
	}
	layout := args[1].(string)
	if layout == "unix" {
		return strconv.FormatInt(t.Unix(), 10), nil
	}
	return t.Format(GoLayout(layout)), nil
}

func fnParseDate(args ...any) (any, error) {
	s := args[0].(string)
	loc := time.UTC
	if len(args) == 3 {
		l, err := time.LoadLocation(args[2].(string))
		if err != nil {
			return nil, fmt.Errorf("parseDate: unknown time zone %q", args[2])
		}
		loc = l
	}
	if len(args) >= 2 {
		layout := args[1].(string)
		if layout == "unix" {
			return toTime(s)
		}
		t, err := time.ParseInLocation(GoLayout(layout), s, loc)
		if err != nil {
			return nil, fmt.Errorf("parseDate: %q does not match layout %q", s, layout)
		}
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := toTime(s); err == nil {
		return t, nil
	}
	return nil, fmt.Errorf("parseDate: cannot parse %q: give a layout, e.g. parseDate(s, \"DD/MM/YYYY\")", s)
}

func fnAddDuration(args ...any) (any, error) {
	t, err := toTime(args[0])
	if err != nil {
		return nil, fmt.Errorf("addDuration: %w", err)
	}
	d, err := ParseDuration(args[1].(string))
	if err != nil {
		return nil, fmt.Errorf("addDuration: %w", err)
	}
	return t.Add(d), nil
}

// toTime accepts a time, an RFC 3339 string or Unix seconds (number or
// numeric string, as Stripe's `created`).
func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t, nil
		}
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return unix(f), nil
		}
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor Unix seconds", x)
	case float64:
		return unix(x), nil
	case int:
		return time.Unix(int64(x), 0).UTC(), nil
	case int64:
		return time.Unix(x, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("want a time, got %s", typeName(v))
}

func unix(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// friendly maps moment.js/Day.js style tokens, which n8n and Zapier users
// know, onto Go's reference layout. Longest tokens come first.
var friendly = []struct{ token, layout string }{
	{"YYYY", "2006"}, {"YY", "06"},
	{"MMMM", "January"}, {"MMM", "Jan"}, {"MM", "01"}, {"M", "1"},
	{"dddd", "Monday"}, {"ddd", "Mon"},
	{"DD", "02"}, {"D", "2"},
	{"HH", "15"}, {"hh", "03"}, {"h", "3"},
	{"mm", "04"}, {"m", "4"},
	{"ss", "05"}, {"s", "5"},
	{"SSS", "000"},
	{"A", "PM"}, {"a", "pm"},
	{"ZZ", "-0700"}, {"Z", "-07:00"},
}

// Named layouts accepted by formatDate and parseDate.
var namedLayouts = map[string]string{
	"iso":     time.RFC3339,
	"rfc3339": time.RFC3339,
	"rfc1123": time.RFC1123,
	"date":    "2006-01-02",
	"time":    "15:04:05",
}

// GoLayout converts a friendly layout ("DD/MM/YYYY HH:mm", "iso") into a
// Go time layout. Text in [brackets] is literal. A layout that already
// contains Go's reference year "2006" or is RFC-named is returned as is.
func GoLayout(layout string) string {
	if l, ok := namedLayouts[strings.ToLower(layout)]; ok {
		return l
	}
	if strings.Contains(layout, "2006") || strings.Contains(layout, "15:04") {
		return layout
	}
	var b strings.Builder
	for i := 0; i < len(layout); {
		if layout[i] == '[' {
			if end := strings.IndexByte(layout[i:], ']'); end > 0 {
				b.WriteString(layout[i+1 : i+end])
				i += end + 1
				continue
			}
		}
		matched := false
		for _, f := range friendly {
			if strings.HasPrefix(layout[i:], f.token) {
				if f.token == "SSS" && b.Len() > 0 && !strings.HasSuffix(b.String(), ".") && !strings.HasSuffix(b.String(), ",") {
					b.WriteByte('.')
				}
				b.WriteString(f.layout)
				i += len(f.token)
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(layout[i])
			i++
		}
	}
	return b.String()
}

// minorUnits gives ISO 4217 currencies whose minor unit is not 1/100;
// Stripe sends amounts in the minor unit.
var minorUnits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "JPY": 0, "KMF": 0, "KRW": 0, "MGA": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3,
}

// fnFormatMoney formats an amount in minor units as "20.00 USD": the
// amount with the currency's decimals, a space and the upper-case ISO
// code. No symbol and no thousands separator, so the text is unambiguous
// in every locale and reads the same in a chat message and a CSV.
func fnFormatMoney(args ...any) (any, error) {
	var minor float64
	switch x := args[0].(type) {
	case float64:
		minor = x
	case int:
		minor = float64(x)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return nil, fmt.Errorf("formatMoney: amount %q is not a number", x)
		}
		minor = f
	default:
		return nil, fmt.Errorf("formatMoney: want an amount in minor units, got %s", typeName(args[0]))
	}
	code := strings.ToUpper(strings.TrimSpace(args[1].(string)))
	if len(code) != 3 {
		return nil, fmt.Errorf("formatMoney: currency %q is not a 3-letter ISO code", args[1])
	}
	decimals, ok := minorUnits[code]
	if !ok {
		decimals = 2
	}
	value := minor / math.Pow10(decimals)
	return strconv.FormatFloat(value, 'f', decimals, 64) + " " + code, nil
}

func fnTitle(args ...any) (any, error) {
	s := args[0].(string)
	out := []rune(s)
	start := true
	for i, r := range out {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start {
				out[i] = unicode.ToUpper(r)
			}
			start = false
			continue
		}
		start = unicode.IsSpace(r) || r == '-' || r == '_'
	}
	return string(out), nil
}

func fnSlug(args ...any) (any, error) {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(args[0].(string)) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-"), nil
}

func empty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

func fnDefault(args ...any) (any, error) {
	if empty(args[0]) {
		return args[1], nil
	}
	return args[0], nil
}

func fnCoalesce(args ...any) (any, error) {
	for _, a := range args {
		if !empty(a) {
			return a, nil
		}
	}
	return nil, nil
}

func fnJSON(args ...any) (any, error) {
	b, err := json.Marshal(args[0])
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	return string(b), nil
}

func fnFromJSON(args ...any) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(args[0].(string)), &v); err != nil {
		return nil, fmt.Errorf("fromjson: %w", err)
	}
	return v, nil
}

func fnGet(args ...any) (any, error) {
	v, _, err := get(args[0], args[1].(string), false)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	return v, nil
}

// ParseDuration parses Go duration syntax extended with a leading whole
// number of days: "90s", "1h30m", "3d", "2d12h", "-1d".
func ParseDuration(s string) (time.Duration, error) {
	rest, neg := strings.CutPrefix(s, "-")
	var days time.Duration
	if i := strings.IndexByte(rest, 'd'); i >= 0 {
		n, err := strconv.ParseUint(rest[:i], 10, 16)
		if err != nil {
			return 0, errBadDuration(s)
		}
		days = time.Duration(n) * 24 * time.Hour
		rest = rest[i+1:]
		if rest == "" {
			if neg {
				return -days, nil
			}
			return days, nil
		}
	}
	if rest == "" || rest[0] == '-' || rest[0] == '+' {
		return 0, errBadDuration(s)
	}
	d, err := time.ParseDuration(rest)
	if err != nil {
		return 0, errBadDuration(s)
	}
	d += days
	if neg {
		d = -d
	}
	return d, nil
}

func errBadDuration(s string) error {
	return errors.New(strconv.Quote(s) + " is not a duration: use forms like \"30s\", \"5m\", \"2h\", \"3d\" or \"1d12h\"")
}
