package triggers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// Stage 2, verify: is the delivery from the provider? Provider handshakes
// are answered first (they are not deliveries), then the method and
// content type are checked, then the signature on the raw bytes. Nothing
// is parsed before the signature is verified.

// verify answers a handshake, refuses a wrong method or content type and
// checks the signature. It reports whether the pipeline goes on.
func (g *Ingestor) verify(w http.ResponseWriter, d *delivery) bool {
	if g.handshake(w, d) {
		return false
	}
	switch d.r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		d.reject(w, http.StatusMethodNotAllowed, store.VerificationSkipped, "method "+d.r.Method+" not allowed; send POST")
		return false
	}
	if msg := checkContentType(d.r.Header.Get("Content-Type"), d.rt.trigger); msg != "" {
		d.reject(w, http.StatusUnsupportedMediaType, store.VerificationSkipped, msg)
		return false
	}
	return g.checkSignature(w, d)
}

// handshake answers a provider handshake (Slack url_verification, Meta
// hub.challenge) and logs it; it reports whether it answered.
func (g *Ingestor) handshake(w http.ResponseWriter, d *delivery) bool {
	rt := d.rt
	if rt.trigger.Handshaker == nil || rt.credErr != nil {
		return false
	}
	resp, handled := rt.trigger.Handshaker.Handshake(&d.req, rt.credential)
	if !handled || resp == nil {
		return false
	}
	if resp.Status >= 300 {
		countDelivery(rt, outcomeRejected)
		d.log(d.logRow(store.EventRejected, store.VerificationFailed, fmt.Sprintf("provider handshake refused (%d)", resp.Status)))
	} else {
		countDelivery(rt, outcomeHandshake)
		d.log(d.logRow(store.EventIgnored, store.VerificationOK, "provider handshake answered"))
	}
	for k, vs := range resp.Header {
		if k = http.CanonicalHeaderKey(k); k != "Content-Type" && k != "Content-Length" {
			w.Header()[k] = append([]string(nil), vs...)
		}
	}
	writeRaw(w, resp.Status, resp.ContentType, resp.Body)
	return true
}

// checkSignature verifies the delivery with the trigger's verifier and
// the endpoint's credential: 401 with the verifier's reason when it
// fails, 503 when the credential cannot be read (nothing is accepted that
// was not verified).
func (g *Ingestor) checkSignature(w http.ResponseWriter, d *delivery) bool {
	rt := d.rt
	if rt.credErr != nil {
		g.log.Error("webhook credential unavailable", "endpoint", rt.endpoint.ID, "error", rt.credErr)
		d.log(d.logRow(store.EventRejected, store.VerificationFailed, "credential unavailable: "+rt.credErr.Error()))
		countDelivery(rt, outcomeUnavailable)
		g.unavailable(w, "this endpoint's credential cannot be read; the delivery was not accepted")
		return false
	}
	err := rt.trigger.Verifier.Verify(&d.req, rt.credential, d.received)
	if err == nil {
		return true
	}
	// A verifier's reason is fixed text, never a request value, so it may
	// label the metric; any other error counts as "other".
	reason, metricReason := err.Error(), "other"
	var ve *connectors.VerifyError
	if errors.As(err, &ve) {
		reason, metricReason = ve.Reason, ve.Reason
	}
	g.log.Info("webhook verification failed", "endpoint", rt.endpoint.ID, "reason", reason)
	metrics.VerificationFailures.WithLabelValues(rt.connector, metricReason).Inc()
	d.reject(w, http.StatusUnauthorized, store.VerificationFailed, "verification failed: "+reason)
	return false
}

// checkContentType returns why a content type is refused, or "". A
// missing Content-Type is let through: the body's format is checked by
// the extractor anyway, and some senders omit the header. What a trigger
// accepts is its own say (connectors.Trigger.AcceptsMediaType): JSON,
// forms for FormBody, and the media types of BodyTypes (Salesforce's SOAP).
func checkContentType(ct string, t *connectors.Trigger) string {
	if ct == "" || t.AcceptsMediaType(ct) {
		return ""
	}
	return fmt.Sprintf("unsupported content type %q: this endpoint accepts %s", truncate(ct, 100), t.AcceptedMediaTypes())
}
