// Package openai is the "AI (OpenAI-compatible)" connector: a
// chat_completion action for any server that speaks the OpenAI Chat
// Completions wire format (POST {base_url}/chat/completions), which OpenAI,
// OpenRouter, Groq, Mistral, vLLM, llama.cpp's server, LM Studio and
// Ollama (http://127.0.0.1:11434/v1) all serve. Azure OpenAI's deployment
// URLs and api-key header are a different shape and are not covered.
//
// The spec is SelfHosted: a credential's base_url may name any host, so a
// local model server works. Calls to such a host go through the SSRF-guarded
// client, so an admin allows a private or loopback server with --ssrf-allow
// and plain http:// with --allow-http; changing the host asks for the
// credential's API key again (connectors/hosts.go). The API key is optional
// because local servers usually take none.
//
// Structured output: with a json_schema input the request carries
// response_format {type: json_schema, json_schema: {name, schema, strict:
// true}}, and the reply is validated here as well (schema.go), because many
// compatible servers ignore response_format or honour it loosely. A reply
// that is not JSON or does not satisfy the schema is sent back to the model
// with the validation error, up to schema_retries more times; a final
// mismatch is a permanent error naming the schema path.
package openai

import (
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "openai"

// DefaultBaseURL is OpenAI's API; other servers replace it with the
// credential's base_url.
const DefaultBaseURL = "https://api.openai.com/v1"

// Credential fields.
const (
	// CredentialAPIKey is sent as "Authorization: Bearer <key>" when set.
	CredentialAPIKey = "api_key"
	// CredentialModel is the model used when a step names none.
	CredentialModel = "model"
)

// New returns the connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:  Name,
		Title: "AI (OpenAI-compatible)",
		Description: "Chat completions from OpenAI or any OpenAI-compatible server (a local model server too): classify, " +
			"extract and draft replies from webhook payloads, with structured output checked against a JSON schema.",
		Icon:    "/ui/icons/openai.svg",
		DocsURL: "https://platform.openai.com/docs/api-reference/chat/create",
		BaseURL: DefaultBaseURL,
		// Any OpenAI-compatible server is a legitimate destination.
		SelfHosted: true,
		Credential: []connectors.Field{
			{Name: CredentialAPIKey, Title: "API key", Type: connectors.TypeString, Secret: true, Example: "sk-…",
				Help: "Sent as a Bearer token. Leave it empty for a local server that takes no key (Ollama, llama.cpp, LM Studio)."},
			{Name: CredentialModel, Title: "Default model", Type: connectors.TypeString, Example: "gpt-4o-mini",
				Help: "The model steps use unless they name one, e.g. gpt-4o-mini, or llama3.1 on Ollama."},
		},
		Actions: []*connectors.Action{chatCompletionAction()},
	}
}

// checkResponse classifies OpenAI's error responses,
// {"error": {"message", "type", "param", "code"}}. Beyond the shared
// classification it names the credential on 401/403, treats 429
// insufficient_quota (no credit left, which waiting does not fix) as
// permanent, and reads the x-ratelimit-reset-requests / -tokens headers
// ("1s", "6m0s", "20ms") when no Retry-After is sent.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	code := resp.Get("error.code").String()
	var details []string
	if code != "" {
		details = append(details, "code "+code)
	}
	if p := resp.Get("error.param").String(); p != "" {
		details = append(details, "param "+p)
	}
	ce.Annotate(strings.Join(details, ", "))
	switch {
	case resp.Status == http.StatusBadRequest && strings.HasPrefix(resp.Get("error.param").String(), "response_format"):
		// OpenAI's strict structured outputs accept a subset of JSON
		// Schema; say what the usual fix is.
		ce.Message += "; in strict mode every object needs \"additionalProperties\": false and all its properties in \"required\" " +
			"(make a property optional with a type such as [\"string\", \"null\"])"
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		ce.Class = connectors.ClassPermanent
		ce.Message += "; the server refused the credential's " + CredentialAPIKey + " (check the key, its project and its permissions)"
	case resp.Status == http.StatusTooManyRequests && code == "insufficient_quota":
		ce.Class = connectors.ClassPermanent
		ce.Message += "; the account has no quota left, which retrying does not fix"
	case ce.Class == connectors.ClassRateLimited && resp.Header.Get("Retry-After") == "":
		if wait, ok := rateLimitReset(resp.Header); ok {
			ce.RetryAfter = wait
		}
	}
	return ce
}

// rateLimitReset reads OpenAI's reset headers, durations until the request
// or token budget refills. When one budget is spent (its remaining header is
// 0) its reset is the wait; otherwise the longer of the two is.
func rateLimitReset(h http.Header) (time.Duration, bool) {
	var best time.Duration
	found := false
	for _, kind := range []string{"requests", "tokens"} {
		d, err := time.ParseDuration(strings.TrimSpace(h.Get("X-Ratelimit-Reset-" + kind)))
		if err != nil || d < 0 {
			continue
		}
		if strings.TrimSpace(h.Get("X-Ratelimit-Remaining-"+kind)) == "0" {
			return d, true
		}
		if d > best {
			best = d
		}
		found = true
	}
	return best, found
}
