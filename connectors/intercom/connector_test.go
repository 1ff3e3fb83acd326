package intercom_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/intercom"
)

const testToken = "dG9rOmZha2VfdG9rZW5fZm9yX3Rlc3Rz"

var credential = connectors.Values{intercom.CredentialAccessToken: testToken, intercom.CredentialAdminID: "814860"}

// intercomError is Intercom's error.list body.
func intercomError(code, message string) []byte {
	b, _ := json.Marshal(map[string]any{"type": "error.list", "request_id": "000e2pe3crchv4rac2e0",
		"errors": []any{map[string]any{"code": code, "message": message}}})
	return b
}

// serveIntercom answers POST /conversations/{id}/reply as Intercom
// documents it: the conversation with the new part, 404 for an unknown
// conversation, 401 without the token, 400 without the version header.
func serveIntercom(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case r.Header.Get("Authorization") != "Bearer "+testToken:
		w.WriteHeader(http.StatusUnauthorized)
		w.Write(intercomError("unauthorized", "Access Token Invalid"))
		return
	case r.Header.Get("Intercom-Version") != intercom.APIVersion:
		w.WriteHeader(http.StatusBadRequest)
		w.Write(intercomError("intercom_version_invalid", "Requested version is not valid"))
		return
	case r.URL.Path != "/conversations/147/reply":
		w.WriteHeader(http.StatusNotFound)
		w.Write(intercomError("not_found", "Resource Not Found"))
		return
	}
	in := connectortest.JSONBody(r)
	connectortest.WriteJSON(w, http.StatusOK, map[string]any{"type": "conversation", "id": "147", "state": "open",
		"conversation_parts": map[string]any{"type": "conversation_part.list", "total_count": 1, "conversation_parts": []any{
			map[string]any{"type": "conversation_part", "id": "4412", "part_type": in["message_type"], "body": in["body"],
				"author": map[string]any{"type": "admin", "id": in["admin_id"]}}}}})
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, intercom.New(), connectortest.Fixtures{
		Credential: credential,
		ErrorBody: func(status int, message string) (string, []byte) {
			return "application/json", intercomError("parameter_invalid", message)
		},
		Actions: map[string]connectortest.ActionFixture{
			"reply_to_conversation": {Input: connectors.Values{"conversation_id": "147", "body": "hi"}, Success: serveIntercom},
		},
	})
}

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, intercom.New())
}

func TestReplyToConversation(t *testing.T) {
	f := connectortest.NewFake(t, intercom.New(), credential, serveIntercom)
	out, err := f.InvokeJSON("reply_to_conversation", connectors.Values{"conversation_id": "147", "body": "<p>On it</p>", "message_type": "note"})
	if err != nil {
		t.Fatal(err)
	}
	if out["id"] != "147" {
		t.Fatalf("out = %v", out)
	}
	req := f.Requests()[0]
	if got := connectortest.JSON(t, req.JSON()); got != `{"admin_id":"814860","body":"\u003cp\u003eOn it\u003c/p\u003e","message_type":"note","type":"admin"}` {
		t.Fatalf("body = %s", got)
	}
	_, err = f.Invoke("reply_to_conversation", connectors.Values{"conversation_id": "999", "body": "x"})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "Resource Not Found (code not_found) (request_id 000e2pe3crchv4rac2e0)") {
		t.Fatalf("err = %v", err)
	}
	f.Credential = connectors.Values{intercom.CredentialAccessToken: testToken}
	_, err = f.Invoke("reply_to_conversation", connectors.Values{"conversation_id": "147", "body": "x"})
	if err == nil || !strings.Contains(err.Error(), "input.admin_id: required: set it here or as the credential's admin_id") {
		t.Fatalf("err = %v", err)
	}
	f.Credential = connectors.Values{intercom.CredentialClientSecret: "trigger-only"}
	_, err = f.Invoke("reply_to_conversation", connectors.Values{"conversation_id": "147", "body": "x", "admin_id": "1"})
	if err == nil || !strings.Contains(err.Error(), "credential.access_token: required by Intercom actions") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.Requests()); n != 2 {
		t.Fatalf("requests = %d, want only the two valid calls", n)
	}
}

// TestPingStartsNothing checks the ping Intercom sends on setup verifies
// and yields no event, so the pipeline answers 2xx and runs nothing.
func TestPingStartsNothing(t *testing.T) {
	body, err := os.ReadFile("testdata/ping.json")
	if err != nil {
		t.Fatal(err)
	}
	r := connectortest.NewRequest(string(body), "X-Hub-Signature", "sha1=3e582a3b906326ef696e4d79ffdd26a8a14d8b7f")
	tr := intercom.Trigger()
	if reason := connectortest.Reason(t, tr.Verifier.Verify(r, connectors.Values{intercom.CredentialClientSecret: "ic-client-secret-4f9d2a7b"}, r.Received)); reason != "" {
		t.Fatalf("ping refused: %s", reason)
	}
	connectortest.RunExtract(t, intercom.Extract, []connectortest.ExtractCase{
		{Name: "ping", Request: r, Want: []string{}},
		{Name: "no topic", Request: connectortest.NewRequest(`{"id":"notif_1"}`), WantErr: `reading Intercom notification: "topic" is missing`},
		{Name: "no id", Request: connectortest.NewRequest(`{"topic":"contact.user.created"}`), WantErr: `reading Intercom notification: "id" is missing`},
	})
}
