package definition

import (
	"regexp"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// KindData reads and writes the data store: durable key-value pairs
// shared across runs.
const KindData Kind = "data"

// The operations of a data step (op).
const (
	DataGet       = "get"
	DataSet       = "set"
	DataIncrement = "increment"
	DataAppend    = "append"
	DataDelete    = "delete"
)

var dataOps = []string{DataGet, DataSet, DataIncrement, DataAppend, DataDelete}

// MaxDataListItems is the largest max_items of an append (the store's
// own bound, store.MaxKVListItems); without max_items a list keeps its
// newest 1,000 elements.
const MaxDataListItems = 10000

// dataStoreRE is a named store: the store package's rule, repeated here
// so that a bad name is refused when the workflow is saved.
var dataStoreRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

var dataKind = &KindSpec{
	Kind:  KindData,
	Title: "Data store",
	Description: "Get, set, increment, append to or delete a key of the data store, kept across runs: " +
		"counters, \"already notified\" flags, caches.",
	Output: `get: {"found": true|false, "value": <stored value, or the step's value when missing, else null>}; ` +
		`set: {"value": <value>}; increment: {"value": <new total>}; append: {"value": [<list>], "length": <n>}; ` +
		`delete: {"found": true|false}`,
	Flow: FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "op", Title: "Operation", Type: connectors.TypeString, Required: true, Enum: dataOps,
			Help: "get, set, increment (atomic, under concurrent runs too), append (to a JSON array) or delete."}},
		{Field: connectors.Field{Name: "store", Title: "Store", Type: connectors.TypeString, Example: "notified-orders",
			Pattern: dataStoreRE.String(), PatternHelp: "letters, digits, _, . and -, starting with a letter or digit",
			Help: "A named store, shared by every workflow that names it. Empty: this workflow's own private store."}},
		{Field: connectors.Field{Name: "key", Title: "Key", Type: connectors.TypeString, Required: true, Example: "order:{{ trigger.id }}",
			Help: "Templates allowed; at most 512 bytes once rendered."}, Format: FormatTemplate},
		{Field: connectors.Field{Name: "value", Title: "Value", Type: connectors.TypeAny, Example: map[string]any{"at": "{{ trigger.created_at }}"},
			Help: "set: the value to store; append: the element to add; get: what to return when the key is missing. " +
				"Any JSON value (at most 256 KiB); templates allowed in its strings. (On a switch, the expression compared with each case.)"},
			Format: FormatTemplates},
		{Field: connectors.Field{Name: "ttl", Title: "Expires after", Type: connectors.TypeString, Example: "24h",
			Help: "set, increment and append: the key expires this long after it is written (an increment's or append's window starts when the key is created). Empty: never."},
			Format: FormatDuration},
		{Field: connectors.Field{Name: "by", Title: "Increment by", Type: connectors.TypeInteger, Default: 1,
			Help: "increment: the whole number to add (negative subtracts)."}},
		{Field: connectors.Field{Name: "max_items", Title: "Max items", Type: connectors.TypeInteger, Default: 1000,
			Help: "append: the list keeps its newest max_items elements (1,000 when empty). (On a foreach, the most items it runs.)"},
			Minimum: bound(1), Maximum: bound(DefaultMaxForeachItems)},
		optNext, optRetry, optTimeout, optOnError,
	},
	validate: validateData,
	edges:    continues,
}

func validateData(r *run, n *node) {
	s, p := n.step, n.path
	if s.Op == "" {
		r.errorf(p+".op", "is required: one of %s", strings.Join(dataOps, ", "))
		return
	}
	if !contains(dataOps, s.Op) {
		r.errorf(p+".op", "unknown operation %q: want one of %s", s.Op, strings.Join(dataOps, ", "))
		return
	}
	if s.Store != "" && !dataStoreRE.MatchString(s.Store) {
		r.errorf(p+".store", "%q is not a store name: use letters, digits, _, . and -, starting with a letter or digit, at most 100 characters", s.Store)
	}
	if s.Key == "" {
		r.errorf(p+".key", "is required")
	} else if len(s.Key) > 512 && !strings.Contains(s.Key, "{{") {
		r.errorf(p+".key", "is %d bytes, over the limit of 512", len(s.Key))
	} else {
		r.template(p+".key", s.Key, n, n.ctx())
	}
	// Each operation takes only the fields it uses, so a misplaced field
	// (a ttl on a get) is pointed out instead of silently ignored.
	takes := map[string][]string{
		DataGet:       {"value"},
		DataSet:       {"value", "ttl"},
		DataIncrement: {"by", "ttl"},
		DataAppend:    {"value", "ttl", "max_items"},
		DataDelete:    nil,
	}[s.Op]
	set := map[string]bool{"value": s.Value != nil, "ttl": s.TTL != "", "by": s.By != nil, "max_items": s.MaxItems != 0}
	for _, f := range []string{"value", "ttl", "by", "max_items"} {
		if set[f] && !contains(takes, f) {
			r.errorf(p+"."+f, "is not used by op %q", s.Op)
		}
	}
	if (s.Op == DataSet || s.Op == DataAppend) && s.Value == nil {
		r.errorf(p+".value", "is required for op %q", s.Op)
	}
	r.templates(p+".value", s.Value, n, n.ctx())
	if s.TTL != "" {
		r.duration(p+".ttl", s.TTL, 0, false)
	}
	if s.MaxItems != 0 && (s.MaxItems < 1 || s.MaxItems > MaxDataListItems) {
		r.errorf(p+".max_items", "must be between 1 and %d, got %d", MaxDataListItems, s.MaxItems)
	}
}
