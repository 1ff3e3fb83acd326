package triggers

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// The commerce providers through the whole pipeline: their handshakes and
// acknowledgements are what the providers read, and the verifiers see the
// request the pipeline builds.

func hmacB64(secret string, parts ...string) string {
	m := hmac.New(sha256.New, []byte(secret))
	for _, p := range parts {
		m.Write([]byte(p))
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestWooCommercePingAndDelivery(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		const secret = "wc_whsec_pipeline_0123456789"
		e.credential("woo-test", "woocommerce", connectors.Values{"secret": secret})
		ep := e.workflow("woo", `{"type":"webhook","connector":"woocommerce","credential":"woo-test"}`, store.NewEndpoint{})

		// WooCommerce saves the webhook only when its ping gets exactly 200.
		ping := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader("webhook_id=14"))
		ping.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if w := e.do(ping); w.Code != http.StatusOK {
			t.Fatalf("ping: %d %s, want 200", w.Code, w.Body)
		}
		body := `{"id":727,"status":"processing","total":"64.00"}`
		order := func(sig string) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-WC-Webhook-Topic", "order.created")
			r.Header.Set("X-WC-Webhook-Delivery-ID", "9a4c2b1e")
			r.Header.Set("X-WC-Webhook-Signature", sig)
			return r
		}
		if w := e.do(order(hmacB64("wrong", body))); w.Code != http.StatusUnauthorized {
			t.Fatalf("forged order: %d %s, want 401", w.Code, w.Body)
		}
		if w := e.do(order(hmacB64(secret, body))); w.Code != http.StatusAccepted {
			t.Fatalf("order: %d %s", w.Code, w.Body)
		}
		e.starter.waitRun(t)
		if w := e.do(order(hmacB64(secret, body))); w.Code/100 != 2 {
			t.Fatalf("redelivery: %d %s", w.Code, w.Body)
		}
		if n := e.starter.count(); n != 1 {
			t.Fatalf("%d runs, want 1 (the ping starts none, the redelivery is a duplicate)", n)
		}
	})
}

func TestBigCommerceSecretHeaderAndAck(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		const secret = "bc_hook_pipeline_7Qm2vX9pL4sT8wZ1"
		e.credential("bc-test", "bigcommerce", connectors.Values{"webhook_secret": secret})
		ep := e.workflow("bc", `{"type":"webhook","connector":"bigcommerce","credential":"bc-test"}`, store.NewEndpoint{})
		body := `{"created_at":1764493961,"store_id":"1025646","producer":"stores/abc123xyz","scope":"store/order/created","hash":"dd70c0976e06b67a","data":{"type":"order","id":250}}`
		post := func(header string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			if header != "" {
				r.Header.Set("X-Hookflow-Secret", header)
			}
			return e.do(r)
		}
		if w := post(""); w.Code != http.StatusUnauthorized {
			t.Fatalf("no secret header: %d %s, want 401", w.Code, w.Body)
		}
		if w := post("bc_hook_guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong secret: %d %s, want 401", w.Code, w.Body)
		}
		for i, name := range []string{"delivery", "retry"} {
			if w := post(secret); w.Code != http.StatusOK || w.Body.String() != `{"ok":true}` {
				t.Fatalf("%s: %d %q, want BigCommerce's 200", name, w.Code, w.Body)
			}
			if i == 0 {
				e.starter.waitRun(t)
			}
		}
		if n := e.starter.count(); n != 1 {
			t.Fatalf("%d runs, want 1", n)
		}
		for _, ev := range e.events(ep.ID) {
			if strings.Contains(fmt.Sprint(ev.Headers), secret) {
				t.Fatal("the secret header reached the event log")
			}
		}
	})
}

func TestSendGridBatchStartsOneRunPerEvent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
		e.credential("sg-test", "sendgrid", connectors.Values{"verification_key": base64.StdEncoding.EncodeToString(der)})
		ep := e.workflow("sg", `{"type":"webhook","connector":"sendgrid","credential":"sg-test"}`, store.NewEndpoint{})
		body := `[{"email":"ada@example.com","event":"delivered","sg_event_id":"ev-1","timestamp":1764536402},` +
			`{"email":"ada@example.com","event":"open","sg_event_id":"ev-2","timestamp":1764536500}]`
		ts := fmt.Sprint(e.clock.Now().Unix())
		sum := sha256.Sum256([]byte(ts + body))
		sig, _ := ecdsa.SignASN1(rand.Reader, key, sum[:])
		r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Twilio-Email-Event-Webhook-Timestamp", ts)
		r.Header.Set("X-Twilio-Email-Event-Webhook-Signature", base64.StdEncoding.EncodeToString(sig))
		if w := e.do(r); w.Code != http.StatusAccepted {
			t.Fatalf("batch: %d %s", w.Code, w.Body)
		}
		e.starter.waitRun(t)
		e.starter.waitRun(t)
		if n := e.starter.count(); n != 2 {
			t.Fatalf("%d runs, want one per event", n)
		}
	})
}

func TestSquareSignsTheRegisteredURL(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		const key, registered = "7wKJ4bL9-Zq2tN5xR8vYcA", "https://shop.example.com/square/hook"
		e.credential("sq-test", "square", connectors.Values{"signature_key": key, "notification_url": registered})
		ep := e.workflow("sq", `{"type":"webhook","connector":"square","credential":"sq-test"}`, store.NewEndpoint{})
		body := `{"merchant_id":"6SSW7HV8K2ST5","type":"payment.updated","event_id":"13b867cf","data":{"type":"payment","id":"KkAk"}}`
		post := func(sig string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-Square-Hmacsha256-Signature", sig)
			return e.do(r)
		}
		if w := post(hmacB64(key, "https://other.example.com/hooks/"+ep.Token, body)); w.Code != http.StatusUnauthorized {
			t.Fatalf("signed for another URL: %d %s, want 401", w.Code, w.Body)
		}
		if w := post(hmacB64(key, registered, body)); w.Code != http.StatusAccepted {
			t.Fatalf("signed for the registered URL: %d %s", w.Code, w.Body)
		}
		e.starter.waitRun(t)
	})
}
