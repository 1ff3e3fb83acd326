package connectors

import "testing"

func TestTriggerMediaTypes(t *testing.T) {
	jsonOnly := &Trigger{}
	form := &Trigger{FormBody: true}
	soap := &Trigger{BodyTypes: []string{"text/xml"}}
	cases := []struct {
		name string
		t    *Trigger
		ct   string
		want bool
	}{
		{"json", jsonOnly, "application/json; charset=utf-8", true},
		{"plus json", jsonOnly, "application/cloudevents+json", true},
		{"form to json trigger", jsonOnly, "application/x-www-form-urlencoded", false},
		{"form to form trigger", form, "application/x-www-form-urlencoded", true},
		{"xml to json trigger", jsonOnly, "text/xml", false},
		{"xml to soap trigger", soap, "text/xml; charset=utf-8", true},
		{"xml upper case", soap, "Text/XML", true},
		{"json to soap trigger", soap, "application/json", true},
		{"garbage", soap, ";;", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.AcceptsMediaType(tc.ct); got != tc.want {
				t.Fatalf("AcceptsMediaType(%q) = %v, want %v", tc.ct, got, tc.want)
			}
		})
	}
	if !jsonOnly.JSONBody() || form.JSONBody() || soap.JSONBody() {
		t.Fatal("JSONBody: only a trigger with neither FormBody nor BodyTypes takes JSON bodies")
	}
	for _, tc := range []struct {
		t    *Trigger
		want string
	}{
		{jsonOnly, "application/json"},
		{form, "application/json or application/x-www-form-urlencoded"},
		{&Trigger{FormBody: true, BodyTypes: []string{"text/xml"}}, "application/json, application/x-www-form-urlencoded or text/xml"},
	} {
		if got := tc.t.AcceptedMediaTypes(); got != tc.want {
			t.Errorf("AcceptedMediaTypes = %q, want %q", got, tc.want)
		}
	}
}
