package woocommerce

import (
	"net/url"
	"strconv"

	"github.com/hookflow/hookflow/connectors"
)

// maxPingBody bounds the body a ping can have: "webhook_id=" and a number.
const maxPingBody = 64

// pingReply is what the ping gets. WooCommerce's WC_Webhook::deliver_ping
// accepts exactly status 200 (not hookflow's usual 202) and otherwise
// refuses to save the webhook with "Delivery URL returned response code".
var pingReply = &connectors.Response{Status: 200, ContentType: "application/json", Body: []byte(`{"ok":true}`)}

// Handshake answers the ping WooCommerce sends when a webhook is created
// or its delivery URL is changed: a form-encoded body "webhook_id=N",
// unsigned in current WooCommerce versions. It starts no run, so
// answering it without a signature opens nothing; an ordinary delivery
// (a JSON body) is never taken for it.
func Handshake(r *connectors.Request, _ connectors.Values) (*connectors.Response, bool) {
	if len(r.Body) == 0 || len(r.Body) > maxPingBody || r.Body[0] == '{' || r.Body[0] == '[' {
		return nil, false
	}
	form, err := url.ParseQuery(string(r.Body))
	if err != nil || len(form) != 1 || len(form["webhook_id"]) != 1 {
		return nil, false
	}
	if n, err := strconv.ParseUint(form.Get("webhook_id"), 10, 64); err != nil || n == 0 {
		return nil, false
	}
	return pingReply, true
}
