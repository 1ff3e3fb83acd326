package bigcommerce

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, New())
}

func TestVerify(t *testing.T) {
	cred := connectors.Values{CredentialSecret: "bc_hook_7Qm2vX9pL4sT8wZ1nR6yK3cF"}
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		{Name: "right_secret", Request: connectortest.NewRequest(`{}`, HeaderSecret, "bc_hook_7Qm2vX9pL4sT8wZ1nR6yK3cF"), Credential: cred},
		{Name: "secret_with_a_different_case_is_refused", Request: connectortest.NewRequest(`{}`, HeaderSecret, "BC_HOOK_7QM2VX9PL4ST8WZ1NR6YK3CF"),
			Credential: cred, Want: signature.ReasonBadCredentials},
		{Name: "prefix_of_the_secret_is_refused", Request: connectortest.NewRequest(`{}`, HeaderSecret, "bc_hook_7Qm2"),
			Credential: cred, Want: signature.ReasonBadCredentials},
		{Name: "no_header", Request: connectortest.NewRequest(`{}`), Credential: cred, Want: "missing header X-Hookflow-Secret"},
		{Name: "credential_without_secret_refuses_everything", Request: connectortest.NewRequest(`{}`, HeaderSecret, ""),
			Credential: connectors.Values{}, Want: "credential has no webhook_secret"},
	})
}

func TestExtract(t *testing.T) {
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "hash_is_the_key", Request: connectortest.NewRequest(`{"scope":"store/cart/abandoned","hash":"h1","data":{"type":"cart","id":"09346904-3a8c"}}`),
			Want: []string{"h1 store/cart/abandoned"}},
		{Name: "without_hash_scope_id_and_time", Request: connectortest.NewRequest(`{"scope":"store/order/created","created_at":1764493961,"data":{"type":"order","id":250}}`),
			Want: []string{"store/order/created:250:1764493961 store/order/created"}},
		{Name: "no_scope", Request: connectortest.NewRequest(`{"hash":"h1","data":{"id":1}}`),
			WantErr: "reading BigCommerce webhook: the body has no scope (got null)"},
		{Name: "scope_not_a_string", Request: connectortest.NewRequest(`{"scope":{"a":1}}`),
			WantErr: "reading BigCommerce webhook: the body has no scope (got object)"},
		{Name: "no_hash_no_id", Request: connectortest.NewRequest(`{"scope":"store/order/created","created_at":1}`),
			WantErr: "reading BigCommerce webhook store/order/created: the body has no hash, and no data.id and created_at to stand in for it"},
	})
}

func TestAckIsPlain200(t *testing.T) {
	tr := Trigger()
	if tr.Ack == nil || tr.Ack.Status != 200 {
		t.Fatalf("Ack = %+v, want a 200 reply as BigCommerce expects", tr.Ack)
	}
	if _, err := connectors.ValidateCredential(New().Credential, connectors.Values{CredentialSecret: "short"}); err == nil {
		t.Fatal("a 5-character secret was accepted")
	}
}
