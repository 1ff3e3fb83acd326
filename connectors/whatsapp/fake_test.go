package whatsapp_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

const (
	testToken   = "EAAGfakefakefakeFAKE0123456789"
	testPhoneID = "106540352242922"
)

// fakeCloudAPI follows the Cloud API's documented wire format: POST
// /{phone_number_id}/messages with a JSON body and a Bearer token; errors
// are Graph API error objects ({"error":{"message","type","code",
// "error_subcode","error_data","fbtrace_id"}}), throttling included, which
// Meta sends with HTTP 400. Successful calls answer with the recorded
// responses in testdata/.
type fakeCloudAPI struct {
	*connectortest.Fake
	t *testing.T

	mu sync.Mutex
	// answerFile/answerStatus/answerHeader replace the normal answer.
	answerFile   string
	answerStatus int
	answerHeader http.Header
}

func newFake(t *testing.T) *fakeCloudAPI {
	f := &fakeCloudAPI{t: t}
	f.Fake = connectortest.NewFake(t, whatsapp.New(), connectors.Values{
		whatsapp.CredentialAccessToken: testToken, whatsapp.CredentialPhoneNumberID: testPhoneID}, f.serve)
	return f
}

func graphError(w http.ResponseWriter, status int, code int, subcode int, message string) {
	e := map[string]any{"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Fake0trace0id"}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func (f *fakeCloudAPI) serve(w http.ResponseWriter, r *http.Request) {
	body := connectortest.JSONBody(r)
	auth, contentType := r.Header.Get("Authorization"), r.Header.Get("Content-Type")
	f.mu.Lock()
	file, status, header := f.answerFile, f.answerStatus, f.answerHeader
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if file != "" {
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.WriteHeader(status)
		w.Write(connectortest.ReadFile(f.t, file))
		return
	}
	switch {
	case auth != "Bearer "+testToken:
		graphError(w, http.StatusUnauthorized, 190, 0, "Invalid OAuth access token - Cannot parse access token")
		return
	case r.Method != http.MethodPost:
		graphError(w, http.StatusBadRequest, 100, 0, "(#100) Unsupported request method")
		return
	case r.URL.Path != "/"+testPhoneID+"/messages":
		graphError(w, http.StatusBadRequest, 100, 33, "Unsupported post request. Object with ID does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
		return
	case contentType != "application/json":
		graphError(w, http.StatusBadRequest, 100, 0, "(#100) The parameter messaging_product is required.")
		return
	case body["messaging_product"] != "whatsapp":
		graphError(w, http.StatusBadRequest, 100, 0, "(#100) The parameter messaging_product is required.")
		return
	}
	if body["status"] == "read" {
		if id, _ := body["message_id"].(string); id == "" {
			graphError(w, http.StatusBadRequest, 100, 0, "(#100) Invalid parameter")
			return
		}
		w.Write(connectortest.ReadFile(f.t, "testdata/api_messages_read.json"))
		return
	}
	if to, _ := body["to"].(string); to == "" {
		graphError(w, http.StatusBadRequest, 100, 0, "(#100) The parameter to is required.")
		return
	} else if to == "+15550000000" {
		graphError(w, http.StatusBadRequest, 131030, 0, "(#131030) Recipient phone number not in allowed list")
		return
	}
	switch body["type"] {
	case "text":
		text, _ := body["text"].(map[string]any)
		if body, _ := text["body"].(string); body == "" {
			graphError(w, http.StatusBadRequest, 100, 0, "(#100) The parameter text['body'] is required.")
			return
		}
		w.Write(connectortest.ReadFile(f.t, "testdata/api_messages_text.json"))
	case "template":
		tpl, _ := body["template"].(map[string]any)
		lang, _ := tpl["language"].(map[string]any)
		if name, _ := tpl["name"].(string); name == "" || lang["code"] == nil {
			graphError(w, http.StatusBadRequest, 100, 0, "(#100) The parameter template['name'] is required.")
			return
		} else if name == "no_such_template" {
			graphError(w, http.StatusNotFound, 132001, 0, "(#132001) Template name does not exist in the translation")
			return
		}
		w.Write(connectortest.ReadFile(f.t, "testdata/api_messages_template.json"))
	default:
		graphError(w, http.StatusBadRequest, 100, 0, "(#100) Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}")
	}
}

func (f *fakeCloudAPI) answer(status int, file string, header http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answerStatus, f.answerFile, f.answerHeader = status, file, header
}
