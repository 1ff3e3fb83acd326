package sendgrid

import (
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestSendEmail(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("send_email", connectors.Values{
		"from": "Shop <orders@shop.example.com>", "to": "ada@example.com, Bob <bob@example.com>", "cc": []any{"carol@example.com"},
		"bcc": "audit@shop.example.com", "reply_to": "support@shop.example.com", "subject": "Your order #727",
		"text": "Thanks for your order.", "html": "<p>Thanks for your order.</p>",
		"categories": []any{"order-confirmation"}, "custom_args": map[string]any{"order_id": 727},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out["status"] != float64(202) || out["message_id"] != "KkAkhdMsgzn59SM8A89Wg" {
		t.Fatalf("output = %v", out)
	}
	req := f.Requests()[0]
	if req.Method != "POST" || req.Path != "/v3/mail/send" || req.Header.Get("Authorization") != "Bearer "+testKey {
		t.Fatalf("request = %s %s", req.Method, req.Path)
	}
	want := `{"categories":["order-confirmation"],"content":[{"type":"text/plain","value":"Thanks for your order."},{"type":"text/html","value":"\u003cp\u003eThanks for your order.\u003c/p\u003e"}],` +
		`"custom_args":{"hookflow_idempotency_key":"` + connectors.IdempotencyKey("run-1", "send_email") + `","order_id":"727"},` +
		`"from":{"email":"orders@shop.example.com","name":"Shop"},` +
		`"personalizations":[{"bcc":[{"email":"audit@shop.example.com"}],"cc":[{"email":"carol@example.com"}],"to":[{"email":"ada@example.com"},{"email":"bob@example.com","name":"Bob"}]}],` +
		`"reply_to":{"email":"support@shop.example.com"},"subject":"Your order #727"}`
	if got := connectortest.JSON(t, req.JSON()); got != want {
		t.Fatalf("body = %s\nwant   %s", got, want)
	}
}

func TestSendEmailTemplate(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("send_email", connectors.Values{"from": "orders@shop.example.com", "to": []any{"ada@example.com"},
		"template_id": "d-13b8f94fbcae4ec6b75270d6cb59f932", "template_data": map[string]any{"order": "727"}})
	if err != nil {
		t.Fatal(err)
	}
	body := f.Requests()[0].JSON()
	if body["template_id"] != "d-13b8f94fbcae4ec6b75270d6cb59f932" || body["content"] != nil || body["subject"] != nil {
		t.Fatalf("body = %v", body)
	}
	p := body["personalizations"].([]any)[0].(map[string]any)
	if p["dynamic_template_data"].(map[string]any)["order"] != "727" {
		t.Fatalf("personalization = %v", p)
	}
}

func TestSendEmailBadInput(t *testing.T) {
	base := func(kv ...any) connectors.Values {
		v := connectors.Values{"from": "orders@shop.example.com", "to": "ada@example.com", "subject": "Hi", "text": "Hello"}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(v, kv[i].(string))
			} else {
				v[kv[i].(string)] = kv[i+1]
			}
		}
		return v
	}
	tests := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{name: "bad_to", input: base("to", "ada@example.com, nobody"), want: `input.to[1]: "nobody" is not an email address`},
		{name: "bad_cc_in_array", input: base("cc", []any{"ok@example.com", "@example.com"}), want: `input.cc[1]: "@example.com" is not an email address`},
		{name: "bad_bcc", input: base("bcc", "x"), want: `input.bcc[0]: "x" is not an email address`},
		{name: "bad_from", input: base("from", "orders at shop"), want: `input.from[0]: "orders at shop" is not an email address`},
		{name: "two_froms", input: base("from", "a@example.com, b@example.com"), want: "input.from: want exactly one address"},
		{name: "bad_reply_to", input: base("reply_to", "support@"), want: `input.reply_to[0]: "support@" is not an email address`},
		{name: "duplicate_across_fields", input: base("cc", "ADA@example.com"), want: "input.cc: ADA@example.com is already in to; each address may appear once across to, cc and bcc"},
		{name: "empty_to", input: base("to", []any{}), want: "input.to: required: at least one address"},
		{name: "no_body", input: base("text", nil), want: "input.text: set text, html or template_id"},
		{name: "no_subject", input: base("subject", nil), want: "input.subject: required unless template_id is set"},
		{name: "data_without_template", input: base("template_data", map[string]any{"a": 1}), want: "input.template_data: needs template_id"},
		{name: "bad_template_id", input: base("template_id", "welcome"), want: "input.template_id: dynamic template ids look like d- followed by 32 hex digits"},
		{name: "too_many_categories", input: base("categories", []any{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}), want: "input.categories: SendGrid allows at most 10, got 11"},
		{name: "object_custom_arg", input: base("custom_args", map[string]any{"order": map[string]any{"id": 1}}), want: "input.custom_args.order: want a string, number or boolean"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("send_email", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Errorf("class = %s", connectors.ClassOf(err))
			}
			if n := len(f.Requests()); n != 0 {
				t.Errorf("SendGrid was called %d times with invalid input", n)
			}
		})
	}
}

func TestSendEmailProviderErrors(t *testing.T) {
	in := connectors.Values{"from": "unverified@shop.example.com", "to": "ada@example.com", "subject": "Hi", "text": "Hello"}
	f := newFake(t)
	_, err := f.Invoke("send_email", in)
	if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "The from address does not match a verified Sender Identity. (field from)") {
		t.Fatalf("unverified sender: err = %v", err)
	}
	f.Credential = connectors.Values{CredentialAPIKey: "SG.revoked.key"}
	_, err = f.Invoke("send_email", connectors.Values{"from": "orders@shop.example.com", "to": "ada@example.com", "subject": "Hi", "text": "Hello"})
	if ce := connectors.AsError(err); ce == nil || ce.Class != connectors.ClassPermanent || ce.Status != 401 {
		t.Fatalf("revoked key: err = %v", err)
	}

	rl := newFake(t)
	rl.rateLimit = time.Now().Add(40 * time.Second)
	_, err = rl.Invoke("send_email", connectors.Values{"from": "orders@shop.example.com", "to": "ada@example.com", "subject": "Hi", "text": "Hello"})
	ce := connectors.AsError(err)
	if ce == nil || ce.Class != connectors.ClassRateLimited || ce.RetryAfter < 30*time.Second || ce.RetryAfter > 41*time.Second {
		t.Fatalf("429: err = %#v, want rate limited until X-RateLimit-Reset", err)
	}
}
