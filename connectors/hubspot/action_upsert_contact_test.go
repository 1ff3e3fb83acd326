package hubspot

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

func TestUpsertContact(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		wantProps map[string]any
		wantNew   bool
		wantID    string
	}{
		{name: "creates_new_contact_typed_values",
			input: connectors.Values{"email": "ada@example.com",
				"properties": map[string]any{"firstname": "Ada", "last_payment_amount": 129.5, "lifecyclestage": nil}},
			wantProps: map[string]any{"email": "ada@example.com", "firstname": "Ada", "last_payment_amount": "129.5", "lifecyclestage": ""},
			wantNew:   true, wantID: "1001"},
		{name: "updates_existing_by_email",
			input:     connectors.Values{"email": "bcooper@biglytics.net", "properties": map[string]any{"phone": "+1 555 0100"}},
			wantProps: map[string]any{"email": "bcooper@biglytics.net", "phone": "+1 555 0100"},
			wantNew:   false, wantID: "512"},
		{name: "email_only", input: connectors.Values{"email": "x@example.com"},
			wantProps: map[string]any{"email": "x@example.com"}, wantNew: true, wantID: "1001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			out, err := f.InvokeJSON("upsert_contact", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			checkRequest(t, reqs[0], "/crm/v3/objects/contacts/batch/upsert")
			want := map[string]any{"inputs": []any{map[string]any{"idProperty": "email", "id": tc.input["email"], "properties": tc.wantProps}}}
			if !reflect.DeepEqual(reqs[0].JSON(), want) {
				t.Errorf("body = %v\nwant %v", reqs[0].JSON(), want)
			}
			if out["id"] != tc.wantID || out["new"] != tc.wantNew {
				t.Errorf("output id %v new %v, want %s %v", out["id"], out["new"], tc.wantID, tc.wantNew)
			}
			if p := out["properties"].(map[string]any); p["email"] != tc.input["email"] {
				t.Errorf("output properties = %v", p)
			}
		})
	}
}

func TestUpsertContactTwiceUpdatesTheSameContact(t *testing.T) {
	f := newFake(t, 0)
	in := connectors.Values{"email": "ada@example.com", "properties": map[string]any{"firstname": "Ada"}}
	first, err := f.InvokeJSON("upsert_contact", in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.InvokeJSON("upsert_contact", in)
	if err != nil {
		t.Fatal(err)
	}
	if first["id"] != again["id"] || again["new"] != false {
		t.Errorf("second upsert: %v then %v", first, again)
	}
}

func TestUpsertContactErrors(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		rate      bool
		wantClass connectors.Class
		wantWait  time.Duration
		wantMsg   string
		wantCalls int
	}{
		{name: "unknown_property", input: connectors.Values{"email": "a@example.com", "properties": map[string]any{"shoe_size": "9"}},
			wantClass: connectors.ClassPermanent, wantCalls: 1,
			wantMsg: `Property \"shoe_size\" does not exist`},
		{name: "validation_category_and_correlation_id", input: connectors.Values{"email": "a@example.com", "properties": map[string]any{"shoe_size": "9"}},
			wantClass: connectors.ClassPermanent, wantCalls: 1,
			wantMsg: "(category VALIDATION_ERROR, correlationId aeb5f871-7f07-4993-9211-075dc63e7cbf)"},
		{name: "secondly_rate_limit_uses_interval_header", input: connectors.Values{"email": "a@example.com"}, rate: true,
			wantClass: connectors.ClassRateLimited, wantWait: 10 * time.Second, wantCalls: 1,
			wantMsg: "You have reached your secondly limit. (errorType RATE_LIMIT, policyName SECONDLY"},
		{name: "conflicting_email_property", input: connectors.Values{"email": "a@example.com", "properties": map[string]any{"email": "b@example.com"}},
			wantClass: connectors.ClassPermanent, wantMsg: "input.properties.email: differs from input.email"},
		{name: "nested_property", input: connectors.Values{"email": "a@example.com", "properties": map[string]any{"x": []any{1}}},
			wantClass: connectors.ClassPermanent, wantMsg: "input.properties.x: want a string, number, boolean or null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			f.rateLimited = tc.rate
			_, err := f.InvokeJSON("upsert_contact", tc.input)
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.wantClass {
				t.Fatalf("err = %v, want class %s", err, tc.wantClass)
			}
			if ce.RetryAfter != tc.wantWait {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tc.wantWait)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
			if n := len(f.Requests()); n != tc.wantCalls {
				t.Errorf("%d calls, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestBatchMultiStatusIsAnError(t *testing.T) {
	tests := []struct {
		name     string
		category string
		want     connectors.Class
	}{
		{name: "validation", category: "VALIDATION_ERROR", want: connectors.ClassPermanent},
		{name: "internal", category: "INTERNAL_ERROR", want: connectors.ClassRetryable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := batchErrors(&connectors.HTTPResponse{Status: http.StatusMultiStatus, Header: http.Header{},
				Body: []byte(`{"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"` + tc.category +
					`","message":"Email address a@b is invalid","context":{}}]}`)})
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.want || ce.Message != "Email address a@b is invalid (category "+tc.category+")" {
				t.Fatalf("err = %#v", err)
			}
		})
	}
	if err := batchErrors(&connectors.HTTPResponse{Status: 200, Body: []byte(`{"status":"COMPLETE","results":[{"id":"1"}]}`)}); err != nil {
		t.Errorf("clean batch: %v", err)
	}
}

func TestRateLimitWaitByPolicy(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		header map[string]string
		want   time.Duration
	}{
		{name: "daily_policy", body: `{"policyName":"DAILY"}`, want: dailyWait},
		{name: "daily_remaining_zero", body: `{}`, header: map[string]string{"X-HubSpot-RateLimit-Daily-Remaining": "0"}, want: dailyWait},
		{name: "interval_header", body: `{"policyName":"TEN_SECONDLY_ROLLING"}`, header: map[string]string{"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}, want: 10 * time.Second},
		{name: "secondly_without_headers", body: `{"policyName":"SECONDLY"}`, want: secondlyWait},
		{name: "unknown", body: `{}`, want: burstWait},
		{name: "retry_after_wins", body: `{"policyName":"DAILY"}`, header: map[string]string{"Retry-After": "3"}, want: 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			ce := connectors.AsError(checkResponse(&connectors.HTTPResponse{Status: 429, Header: h, Body: []byte(tc.body)}))
			if ce == nil || ce.Class != connectors.ClassRateLimited || ce.RetryAfter != tc.want {
				t.Fatalf("got %#v, want rate limited after %s", ce, tc.want)
			}
		})
	}
}
