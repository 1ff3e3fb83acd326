package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	nethttp "net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hookflow/hookflow/connectors"
)

// Body types of the request action.
const (
	BodyJSON = "json"
	BodyForm = "form"
	BodyRaw  = "raw"
)

func requestAction() *connectors.Action {
	return &connectors.Action{
		Name:        "request",
		Title:       "Make an HTTP request",
		Description: "Send a request to any URL and return its status, headers and body (parsed as JSON when the response says it is JSON).",
		Input: []connectors.Field{
			{Name: "method", Title: "Method", Type: connectors.TypeString, Default: "GET",
				Enum: []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}},
			{Name: "url", Title: "URL", Type: connectors.TypeString, Required: true, Example: "https://api.example.com/v1/orders",
				Pattern: `^https?://[^\s]+$`, PatternHelp: "must be an http:// or https:// URL"},
			{Name: "headers", Title: "Headers", Type: connectors.TypeObject, Example: map[string]any{"X-Request-Source": "hookflow"},
				Help: "Header names and string values."},
			{Name: "query", Title: "Query parameters", Type: connectors.TypeObject, Example: map[string]any{"limit": "10"},
				Help: "Added to the URL's query string; values may be strings, numbers, booleans or arrays of them."},
			{Name: "body_type", Title: "Body type", Type: connectors.TypeString, Default: BodyJSON,
				Enum: []string{BodyJSON, BodyForm, BodyRaw},
				Help: "json encodes body as JSON; form encodes an object as application/x-www-form-urlencoded; raw sends a string as is."},
			{Name: "body", Title: "Body", Type: connectors.TypeAny, Example: map[string]any{"name": "Ada"},
				Help: "Left empty, no body is sent."},
			{Name: "content_type", Title: "Content type", Type: connectors.TypeString, Example: "text/csv",
				Help: "Content-Type for raw bodies (default text/plain)."},
			{Name: "fail_on_status", Title: "Fail on error status", Type: connectors.TypeBoolean, Default: true,
				Help: "When true, a 4xx or 5xx response fails the step (5xx and 429 are retried). When false it is returned as output."},
			{Name: "response_type", Title: "Response type", Type: connectors.TypeString, Default: "auto",
				Enum: []string{"auto", "json", "text"},
				Help: "auto parses JSON when the Content-Type says so, else returns text."},
		},
		OutputSample: json.RawMessage(`{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":42,"ok":true},"url":"https://api.example.com/v1/orders"}`),
		Run:          runRequest,
	}
}

// Output is what the request action returns.
type Output struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	// Body is the parsed JSON value, the text, or base64 for binary bodies
	// (then BodyEncoding is "base64").
	Body         any    `json:"body"`
	BodyEncoding string `json:"body_encoding,omitempty"`
	URL          string `json:"url"`
}

func runRequest(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	req := &connectors.HTTPRequest{
		Method:       in.String("method"),
		URL:          in.String("url"),
		Header:       nethttp.Header{},
		IgnoreStatus: in["fail_on_status"] == false,
	}
	if h, ok := in["headers"].(map[string]any); ok {
		for _, k := range sortedKeys(h) {
			s, ok := scalarString(h[k])
			if !ok {
				return nil, connectors.Permanent(fmt.Errorf("input.headers.%s: want a string value", k))
			}
			req.Header.Set(k, s)
		}
	}
	if q, ok := in["query"].(map[string]any); ok {
		req.Query = url.Values{}
		for _, k := range sortedKeys(q) {
			vals, err := queryValues(q[k])
			if err != nil {
				return nil, connectors.Permanent(fmt.Errorf("input.query.%s: %w", k, err))
			}
			req.Query[k] = vals
		}
	}
	if body, present := in["body"]; present && body != nil {
		data, ct, err := encodeBody(in.String("body_type"), body, in.String("content_type"))
		if err != nil {
			return nil, connectors.Permanent(err)
		}
		req.Body = data
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", ct)
		}
	}
	if err := Authenticate(req, call.Credential); err != nil {
		return nil, connectors.Permanent(err)
	}
	resp, err := call.HTTP.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	return buildOutput(resp, in.String("response_type"))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool, float64, float32, int, int64, int32, json.Number:
		return fmt.Sprint(x), true
	}
	return "", false
}

func queryValues(v any) ([]string, error) {
	if arr, ok := v.([]any); ok {
		out := make([]string, 0, len(arr))
		for i, x := range arr {
			s, ok := scalarString(x)
			if !ok {
				return nil, fmt.Errorf("item %d: want a string, number or boolean", i)
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := scalarString(v)
	if !ok {
		return nil, errors.New("want a string, number, boolean or an array of them")
	}
	return []string{s}, nil
}

func encodeBody(bodyType string, body any, contentType string) ([]byte, string, error) {
	switch bodyType {
	case BodyForm:
		obj, ok := body.(map[string]any)
		if !ok {
			return nil, "", errors.New("input.body: a form body must be an object")
		}
		form := url.Values{}
		for _, k := range sortedKeys(obj) {
			vals, err := queryValues(obj[k])
			if err != nil {
				return nil, "", fmt.Errorf("input.body.%s: %w", k, err)
			}
			form[k] = vals
		}
		return []byte(form.Encode()), "application/x-www-form-urlencoded", nil
	case BodyRaw:
		s, ok := body.(string)
		if !ok {
			return nil, "", errors.New("input.body: a raw body must be a string")
		}
		if contentType == "" {
			contentType = "text/plain; charset=utf-8"
		}
		return []byte(s), contentType, nil
	default:
		data, err := json.Marshal(body)
		if err != nil {
			return nil, "", fmt.Errorf("input.body: encoding JSON: %w", err)
		}
		return data, "application/json", nil
	}
}

func buildOutput(resp *connectors.HTTPResponse, responseType string) (*Output, error) {
	out := &Output{Status: resp.Status, Headers: map[string]string{}, URL: resp.URL.String()}
	for k, vs := range resp.Header {
		out.Headers[k] = strings.Join(vs, ", ")
	}
	trimmed := bytes.TrimSpace(resp.Body)
	wantJSON := responseType == "json" || (responseType != "text" && resp.IsJSON())
	switch {
	case len(trimmed) == 0:
		out.Body = nil
	case wantJSON:
		var v any
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, connectors.NewError(connectors.ClassPermanent, resp.Status,
				fmt.Sprintf("response is not valid JSON: %v", err))
		}
		out.Body = v
	case utf8.Valid(resp.Body):
		out.Body = string(resp.Body)
	default:
		out.Body = base64.StdEncoding.EncodeToString(resp.Body)
		out.BodyEncoding = "base64"
	}
	return out, nil
}
