package pipedrive

import (
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/hookflow/hookflow/connectors"
)

func jsonBody(body any) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("encoding request body: %w", err))
	}
	return data, nil
}

// customFieldKey is a custom field's API key: 40 hex characters.
var customFieldKey = regexp.MustCompile(`^[0-9a-f]{40}$`)

// customFields checks the custom_fields input: keys are the fields' API
// keys (Company settings → Data fields → … → API key).
func customFields(in connectors.Values) (map[string]any, error) {
	raw, _ := in["custom_fields"].(map[string]any)
	for k := range raw {
		if !customFieldKey.MatchString(k) {
			return nil, connectors.InputError("custom_fields", fmt.Sprintf("%q is not a custom field's API key (40 hex characters; "+
				"Company settings → Data fields → the field → API key)", k))
		}
	}
	return raw, nil
}

// entityID reads an id input that may be a number or a string of digits.
func entityID(in connectors.Values, name string) (int64, bool, error) {
	v, ok := in[name]
	if !ok || v == nil || v == "" {
		return 0, false, nil
	}
	s, err := connectors.NumericID(v)
	if err != nil {
		return 0, false, connectors.InputError(name, "want a positive numeric Pipedrive id")
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 {
		return 0, false, connectors.InputError(name, "want a positive numeric Pipedrive id")
	}
	return n, true, nil
}

func idField(name, title, help string) connectors.Field {
	return connectors.Field{Name: name, Title: title, Type: connectors.TypeAny, Example: 42, Help: help + " A number or a string of digits."}
}

// envelope is Pipedrive's {"success":true,"data":…} reply.
type envelope struct {
	Success bool           `json:"success"`
	Data    map[string]any `json:"data"`
}
