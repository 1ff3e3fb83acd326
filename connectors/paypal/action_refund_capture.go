package paypal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func refundCaptureAction() *connectors.Action {
	return &connectors.Action{
		Name:  "refund_capture",
		Title: "Refund a captured payment",
		Description: "Refund a captured payment in full or in part (POST /v2/payments/captures/{id}/refund). Retries of the " +
			"same step send the same PayPal-Request-Id, so PayPal returns the first refund instead of refunding twice.",
		Input: []connectors.Field{
			idField("capture_id", "Capture id", "3C679366HH908993F",
				"For a PAYMENT.CAPTURE.COMPLETED event, {{ trigger.resource.id }}."),
			{Name: "amount", Title: "Amount", Type: connectors.TypeString, Example: "10.99",
				Pattern: `^[0-9]{1,10}(\.[0-9]{1,3})?$`, PatternHelp: "a decimal amount such as 10.99, without currency sign",
				Help: "Empty refunds the whole remaining amount. Set currency too."},
			{Name: "currency", Title: "Currency", Type: connectors.TypeString, Example: "USD",
				Pattern: `^[A-Z]{3}$`, PatternHelp: "an ISO 4217 code in capitals, e.g. USD", Help: "The capture's currency; needed with amount."},
			{Name: "note_to_payer", Title: "Note to payer", Type: connectors.TypeString, Example: "Sorry, the item was damaged.",
				Help: "Shown to the buyer; at most 255 characters."},
			{Name: "invoice_id", Title: "Invoice id", Type: connectors.TypeString, Example: "INV-727",
				Help: "Your own reference for the refund; at most 127 characters."},
		},
		OutputSample: json.RawMessage(`{"id":"1JU08902781691411","status":"COMPLETED","amount":{"currency_code":"USD","value":"10.99"},` +
			`"note_to_payer":"Sorry, the item was damaged.","invoice_id":"INV-727"}`),
		Run: runRefundCapture,
	}
}

type amount struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

type refundRequest struct {
	Amount      *amount `json:"amount,omitempty"`
	NoteToPayer string  `json:"note_to_payer,omitempty"`
	InvoiceID   string  `json:"invoice_id,omitempty"`
}

func runRefundCapture(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	id := in.String("capture_id")
	var req refundRequest
	value, currency := in.String("amount"), in.String("currency")
	switch {
	case value != "" && currency == "":
		return nil, connectors.InputError("currency", "required with amount")
	case value == "" && currency != "":
		return nil, connectors.InputError("amount", "required with currency (leave both empty for a full refund)")
	case value != "":
		if strings.Trim(value, "0.") == "" {
			return nil, connectors.InputError("amount", "must be more than zero")
		}
		req.Amount = &amount{CurrencyCode: currency, Value: value}
	}
	if n := len([]rune(in.String("note_to_payer"))); n > 255 {
		return nil, connectors.InputError("note_to_payer", fmt.Sprintf("PayPal allows at most 255 characters, got %d", n))
	}
	if n := len([]rune(in.String("invoice_id"))); n > 127 {
		return nil, connectors.InputError("invoice_id", fmt.Sprintf("PayPal allows at most 127 characters, got %d", n))
	}
	req.NoteToPayer, req.InvoiceID = in.String("note_to_payer"), in.String("invoice_id")
	if call.IdempotencyKey == "" {
		return nil, connectors.Permanent(errors.New("refunding capture: no idempotency key for this call"))
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("PayPal-Request-Id", call.IdempotencyKey)
	h.Set("Prefer", "return=representation")
	var out map[string]any
	if err := a.do(ctx, http.MethodPost, "/v2/payments/captures/"+url.PathEscape(id)+"/refund", h, req, &out); err != nil {
		return nil, fmt.Errorf("refunding capture %s: %w", id, err)
	}
	if out == nil {
		return nil, connectors.Permanent(fmt.Errorf("refunding capture %s: PayPal's response is empty", id))
	}
	return out, nil
}
