package connectortest

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CheckOutputShape fails the test when an action's real output and the
// OutputSample it declares differ in shape: the same top-level fields,
// each of the same JSON kind (a null on either side matches anything,
// since optional fields are null in one and set in the other). The sample
// is what the UI offers for field picking and what a dry run returns, so
// a field that is only in the sample leads a workflow to read nothing.
func CheckOutputShape(t testing.TB, c connectors.Connector, action string, out any) {
	t.Helper()
	sample := gjson.ParseBytes(OutputSample(t, c, action))
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("output does not encode as JSON: %v", err)
	}
	got := gjson.ParseBytes(data)
	if !sample.IsObject() || !got.IsObject() {
		if signature.Kind(sample) != signature.Kind(got) {
			t.Fatalf("%s output is a JSON %s, but its sample is a JSON %s", action, signature.Kind(got), signature.Kind(sample))
		}
		return
	}
	kinds := func(r gjson.Result) map[string]string {
		m := map[string]string{}
		r.ForEach(func(k, v gjson.Result) bool {
			m[k.String()] = signature.Kind(v)
			return true
		})
		return m
	}
	want, have := kinds(sample), kinds(got)
	var diffs []string
	for k, wk := range want {
		hk, ok := have[k]
		switch {
		case !ok:
			diffs = append(diffs, k+": in the sample, not in the output")
		case wk != hk && wk != "null" && hk != "null":
			diffs = append(diffs, k+": "+hk+" in the output, "+wk+" in the sample")
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, k+": in the output, not in the sample")
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		t.Errorf("%s output and its OutputSample differ:\n  %s", action, strings.Join(diffs, "\n  "))
	}
}
