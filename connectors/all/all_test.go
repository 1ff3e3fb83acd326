package all_test

import (
	"encoding/json"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
)

func TestBuiltinsRegister(t *testing.T) {
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	names := reg.Names()
	if len(names) != len(all.Connectors()) {
		t.Fatalf("registered %v from %d connectors", names, len(all.Connectors()))
	}
	for _, want := range []string{"http", "webhook"} {
		if _, ok := reg.Connector(want); !ok {
			t.Errorf("built-in %s missing", want)
		}
	}
	data, err := json.Marshal(reg.Catalog())
	if err != nil {
		t.Fatalf("catalog does not encode: %v", err)
	}
	var cat connectors.Catalog
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	for _, c := range cat.Connectors {
		for _, a := range c.Actions {
			var schema map[string]any
			if err := json.Unmarshal(a.Input.Schema, &schema); err != nil || schema["type"] != "object" {
				t.Errorf("%s.%s input schema = %s", c.Name, a.Name, a.Input.Schema)
			}
		}
	}
}

func TestBadAllowlistFails(t *testing.T) {
	if _, err := all.New(all.Options{Allow: []string{"10.0.0.0/99"}}); err == nil {
		t.Fatal("an invalid allowlist entry was accepted")
	}
}
