package hubspot

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestExtract(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		want    []string // "id type"
		wantErr string
	}{
		{"single object", `{"eventId":17,"subscriptionType":"deal.deletion"}`, []string{"17 deal.deletion"}, ""},
		{"large id kept exact", `[{"eventId":9007199254740993,"subscriptionType":"contact.creation"}]`, []string{"9007199254740993 contact.creation"}, ""},
		{"empty batch", `[]`, nil, ""},
		{"missing eventId", `[{"eventId":1,"subscriptionType":"a"},{"subscriptionType":"b"}]`, nil, "reading HubSpot delivery: [1].eventId is missing"},
		{"missing type", `[{"eventId":1}]`, nil, "reading HubSpot delivery: [0].subscriptionType is missing"},
		{"not objects", `[1]`, nil, "reading HubSpot delivery: [0] is not an object"},
		{"scalar", `"hi"`, nil, "reading HubSpot delivery: want a JSON array of events, got string"},
		{"malformed JSON", `[{"eventId":1,]`, nil, "reading HubSpot delivery: malformed JSON body: invalid character ']' looking for beginning of object key string (at byte 15)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events, err := Extract(&connectors.Request{Body: []byte(tc.body)}, nil)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range events {
				got = append(got, e.ID+" "+e.Type)
				if !strings.Contains(string(e.Body), `"subscriptionType"`) || strings.HasPrefix(string(e.Body), "[") {
					t.Errorf("event body is not one element: %s", e.Body)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("events = %v, want %v", got, tc.want)
			}
		})
	}
}
