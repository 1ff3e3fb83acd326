package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// DefaultSchemaRetries is how many times a reply that does not satisfy
// json_schema is sent back to the model before the step fails.
const DefaultSchemaRetries = 2

// maxSchemaRetries bounds schema_retries: every retry is a paid request.
const maxSchemaRetries = 5

// schemaNamePattern is what OpenAI accepts as json_schema.name.
var schemaNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// roles a message may have.
var roles = map[string]bool{"system": true, "developer": true, "user": true, "assistant": true, "tool": true}

func chatCompletionAction() *connectors.Action {
	return &connectors.Action{
		Name:  "chat_completion",
		Title: "Chat completion",
		Description: "Ask a model: a prompt (or a list of messages) and an optional system instruction. With json_schema the " +
			"reply must be JSON satisfying the schema; it is checked here and asked again when it does not.",
		Input: []connectors.Field{
			{Name: "model", Title: "Model", Type: connectors.TypeString, Example: "gpt-4o-mini",
				Help: "The model; empty uses the credential's default model."},
			{Name: "system", Title: "System instruction", Type: connectors.TypeString,
				Example: "You triage support email for Acme. Classify it and draft a short, friendly reply.",
				Help:    "Sent first, as the system message."},
			{Name: "prompt", Title: "Prompt", Type: connectors.TypeString, Example: "Subject: {{ trigger.subject }}\n\n{{ trigger.text }}",
				Help: "The user message. Set prompt or messages (or both: the prompt then comes last)."},
			{Name: "messages", Title: "Messages", Type: connectors.TypeArray,
				Example: []any{map[string]any{"role": "user", "content": "Hello"}},
				Help:    "A conversation as [{\"role\": \"user\"|\"assistant\"|\"system\", \"content\": \"…\"}], for few-shot examples or history."},
			{Name: "temperature", Title: "Temperature", Type: connectors.TypeNumber, Example: 0,
				Help: "0 to 2; low values give steadier answers, which classification wants."},
			{Name: "max_tokens", Title: "Max tokens", Type: connectors.TypeInteger, Example: 500,
				Help: "Upper bound on the reply's length in tokens."},
			{Name: "json_schema", Title: "JSON schema (structured output)", Type: connectors.TypeObject,
				Example: map[string]any{"type": "object", "required": []any{"category"}, "additionalProperties": false,
					"properties": map[string]any{"category": map[string]any{"type": "string", "enum": []any{"billing", "bug", "other"}}}},
				Help: "An object schema the reply must satisfy; the output's json is then the parsed reply. It is sent with " +
					"strict: true, for which OpenAI wants every property listed in required and additionalProperties: false " +
					"(an optional value gets a type such as [\"string\", \"null\"])."},
			{Name: "schema_name", Title: "Schema name", Type: connectors.TypeString, Default: "output", Pattern: schemaNamePattern.String(),
				PatternHelp: "letters, digits, _ and -, at most 64", Help: "The json_schema.name sent to the server."},
			{Name: "schema_retries", Title: "Retries on a schema mismatch", Type: connectors.TypeInteger, Default: DefaultSchemaRetries,
				Help: fmt.Sprintf("How many times a reply that is not valid JSON for the schema is sent back to the model with the error (0 to %d).", maxSchemaRetries)},
		},
		OutputSample: json.RawMessage(`{
  "id": "chatcmpl-AbC123xYz",
  "model": "gpt-4o-mini-2024-07-18",
  "text": "{\"category\":\"billing\",\"urgency\":\"high\",\"summary\":\"Customer was charged twice for order #1042 and asks for a refund.\",\"reply\":\"Hi Dana, sorry about the double charge on order #1042. Our billing team is checking it now and will refund the duplicate payment once confirmed. Acme Support\"}",
  "json": {
    "category": "billing",
    "urgency": "high",
    "summary": "Customer was charged twice for order #1042 and asks for a refund.",
    "reply": "Hi Dana, sorry about the double charge on order #1042. Our billing team is checking it now and will refund the duplicate payment once confirmed. Acme Support"
  },
  "finish_reason": "stop",
  "usage": {"prompt_tokens": 212, "completion_tokens": 71, "total_tokens": 283},
  "attempts": 1
}`),
		Run: runChatCompletion,
	}
}

// message is one chat message as the API takes it; content is a string
// or an array of content parts, passed through as given.
type message struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

type responseFormat struct {
	Type       string         `json:"type"`
	JSONSchema map[string]any `json:"json_schema"`
}

type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []message       `json:"messages"`
	Temperature    *float64        `json:"temperature,omitempty"`
	MaxTokens      *int64          `json:"max_tokens,omitempty"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
}

type usage struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	TotalTokens      int64 `json:"total_tokens"`
}

type chatResponse struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

// runChatCompletion validates the input, calls the server and, with a
// schema, repeats the call with the validation error until the reply fits
// or the retries are spent.
func runChatCompletion(ctx context.Context, call *connectors.Call) (any, error) {
	req, schema, retries, err := buildRequest(call)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	if key := call.Credential.String(CredentialAPIKey); key != "" {
		header.Set("Authorization", "Bearer "+key)
	}
	client := call.HTTP.WithCheck(checkResponse)
	// A model may take longer than the default HTTP timeout to write a
	// long reply; the step's own timeout (the activity's deadline) is the
	// limit the author chose, so it wins when it is longer.
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left > client.Config().Timeout {
			client = client.WithTimeout(left)
		}
	}
	endpoint := strings.TrimRight(call.BaseURL, "/") + "/chat/completions"

	var total usage
	for attempt := 1; ; attempt++ {
		var resp chatResponse
		if _, err := client.DoJSON(ctx, http.MethodPost, endpoint, header, req, &resp); err != nil {
			return nil, err
		}
		if resp.Usage != nil {
			total.PromptTokens += resp.Usage.PromptTokens
			total.CompletionTokens += resp.Usage.CompletionTokens
			total.TotalTokens += resp.Usage.TotalTokens
		}
		if len(resp.Choices) == 0 {
			return nil, connectors.NewError(connectors.ClassRetryable, 0, "the server answered with no choices")
		}
		choice := resp.Choices[0]
		if r := choice.Message.Refusal; r != nil && *r != "" {
			return nil, connectors.NewError(connectors.ClassPermanent, 0, "the model refused: "+*r)
		}
		text := ""
		if choice.Message.Content != nil {
			text = *choice.Message.Content
		}
		out := map[string]any{
			"id": resp.ID, "model": resp.Model, "text": text, "finish_reason": choice.FinishReason,
			"usage": map[string]any{"prompt_tokens": total.PromptTokens, "completion_tokens": total.CompletionTokens,
				"total_tokens": total.TotalTokens},
			"attempts": attempt,
			// json is null without a schema, so the output's shape does
			// not depend on the input.
			"json": nil,
		}
		if schema == nil {
			return out, nil
		}
		parsed, verr := schema.check(text)
		if verr == nil {
			out["json"] = parsed
			return out, nil
		}
		if choice.FinishReason == "length" {
			verr = fmt.Errorf("%w (the reply was cut off at max_tokens)", verr)
		}
		if attempt > retries {
			return nil, connectors.Permanent(fmt.Errorf("after %d attempts, %w", attempt, verr))
		}
		// Show the model its reply and what is wrong with it, as a user
		// correcting it would.
		req.Messages = append(req.Messages,
			message{Role: "assistant", Content: text},
			message{Role: "user", Content: verr.Error() + ". Reply again with only a JSON value that satisfies the schema."})
	}
}

// buildRequest turns a call's input into the first request.
func buildRequest(call *connectors.Call) (*chatRequest, *replySchema, int, error) {
	in := call.Input
	req := &chatRequest{Model: strings.TrimSpace(in.String("model"))}
	if req.Model == "" {
		req.Model = strings.TrimSpace(call.Credential.String(CredentialModel))
	}
	if req.Model == "" {
		return nil, nil, 0, connectors.InputError("model", "required: name a model here or set the credential's default model")
	}
	if s := in.String("system"); s != "" {
		req.Messages = append(req.Messages, message{Role: "system", Content: s})
	}
	if raw, ok := in["messages"].([]any); ok {
		for i, m := range raw {
			msg, err := readMessage(m)
			if err != nil {
				return nil, nil, 0, connectors.InputError(fmt.Sprintf("messages[%d]", i), err.Error())
			}
			req.Messages = append(req.Messages, msg)
		}
	}
	if p := in.String("prompt"); p != "" {
		req.Messages = append(req.Messages, message{Role: "user", Content: p})
	}
	if !hasNonSystem(req.Messages) {
		return nil, nil, 0, connectors.InputError("prompt", "required: set prompt or messages (a system instruction alone asks nothing)")
	}
	if v, ok := in["temperature"]; ok && v != nil {
		t, ok := number(v)
		if !ok || t < 0 || t > 2 || math.IsNaN(t) {
			return nil, nil, 0, connectors.InputError("temperature", "want a number from 0 to 2")
		}
		req.Temperature = &t
	}
	if v, ok := in["max_tokens"]; ok && v != nil {
		n, ok := number(v)
		if !ok || n < 1 || n != math.Trunc(n) || n > 1e7 {
			return nil, nil, 0, connectors.InputError("max_tokens", "want a whole number of at least 1")
		}
		m := int64(n)
		req.MaxTokens = &m
	}
	retries := DefaultSchemaRetries
	if v, ok := in["schema_retries"]; ok && v != nil {
		n, ok := number(v)
		if !ok || n < 0 || n > maxSchemaRetries || n != math.Trunc(n) {
			return nil, nil, 0, connectors.InputError("schema_retries", fmt.Sprintf("want a whole number from 0 to %d", maxSchemaRetries))
		}
		retries = int(n)
	}
	var schema *replySchema
	if v, ok := in["json_schema"]; ok && v != nil {
		var err error
		if schema, err = compileSchema(v); err != nil {
			return nil, nil, 0, connectors.InputError("json_schema", err.Error())
		}
		name := in.String("schema_name")
		if name == "" {
			name = "output"
		}
		if !schemaNamePattern.MatchString(name) {
			return nil, nil, 0, connectors.InputError("schema_name", "want letters, digits, _ and -, at most 64")
		}
		req.ResponseFormat = &responseFormat{Type: "json_schema",
			JSONSchema: map[string]any{"name": name, "schema": schema.raw, "strict": true}}
	}
	return req, schema, retries, nil
}

func readMessage(v any) (message, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return message{}, fmt.Errorf(`want {"role": …, "content": …}, got %T`, v)
	}
	role, _ := m["role"].(string)
	if !roles[role] {
		return message{}, fmt.Errorf("role %q: want system, developer, user, assistant or tool", role)
	}
	switch c := m["content"].(type) {
	case string:
		return message{Role: role, Content: c}, nil
	case []any:
		return message{Role: role, Content: c}, nil
	}
	return message{}, fmt.Errorf("content: want a string or an array of content parts")
}

func hasNonSystem(ms []message) bool {
	for _, m := range ms {
		if m.Role != "system" && m.Role != "developer" {
			return true
		}
	}
	return false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
