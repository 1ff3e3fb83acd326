package http_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	hfhttp "github.com/hookflow/hookflow/connectors/http"
)

func pointAtFake(cred, input connectors.Values, fakeURL string) (connectors.Values, connectors.Values) {
	input["url"] = fakeURL + "/v1/orders"
	return cred, input
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, hfhttp.New(), connectortest.Fixtures{
		Credential: connectors.Values{"auth_type": "bearer", "token": "tok_conformance_secret"},
		Point:      pointAtFake,
		Actions: map[string]connectortest.ActionFixture{
			"request": {
				Input: connectors.Values{"method": "POST", "url": "https://placeholder.invalid", "body": map[string]any{"a": 1.0}},
				Success: func(w nethttp.ResponseWriter, r *nethttp.Request) {
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(`{"id":1}`))
				},
			},
		},
	})
}

// captured is what the fake server saw.
type captured struct {
	method, path, query, contentType string
	header                           nethttp.Header
	body                             string
}

func newRegistry(t *testing.T) *connectors.Registry {
	t.Helper()
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(hfhttp.New()); err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestRequestShapes(t *testing.T) {
	var got captured
	fake := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		got = captured{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, contentType: r.Header.Get("Content-Type"), header: r.Header.Clone(), body: string(b)}
		switch r.URL.Path {
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("plain words"))
		case "/missing":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			w.Write([]byte(`{"message":"order 7 not found"}`))
		default:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write([]byte(`{"ok":true,"n":12345678901234567}`))
		}
	}))
	defer fake.Close()
	reg := newRegistry(t)
	tests := []struct {
		name       string
		input      connectors.Values
		credential connectors.Values
		check      func(t *testing.T, c captured, out *hfhttp.Output, err error)
	}{
		{
			name:  "json body with query and headers",
			input: connectors.Values{"method": "POST", "url": fake.URL + "/json?x=1", "query": map[string]any{"tag": []any{"a", "b"}, "n": 2.0}, "headers": map[string]any{"X-Trace": "t1"}, "body": map[string]any{"name": "Ada"}},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if c.method != "POST" || c.contentType != "application/json" || c.body != `{"name":"Ada"}` || c.header.Get("X-Trace") != "t1" {
					t.Fatalf("request = %+v", c)
				}
				if c.query != "n=2&tag=a&tag=b&x=1" {
					t.Fatalf("query = %q", c.query)
				}
				body := out.Body.(map[string]any)
				if body["ok"] != true || body["n"].(json.Number).String() != "12345678901234567" {
					t.Fatalf("parsed body = %#v (large integers must survive)", body)
				}
			},
		},
		{
			name:  "form body",
			input: connectors.Values{"method": "POST", "url": fake.URL + "/form", "body_type": "form", "body": map[string]any{"To": "+15550001111", "Body": "hi there"}},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				if err != nil || c.contentType != "application/x-www-form-urlencoded" || c.body != "Body=hi+there&To=%2B15550001111" {
					t.Fatalf("err=%v request=%+v", err, c)
				}
			},
		},
		{
			name:  "raw body and text response",
			input: connectors.Values{"method": "PUT", "url": fake.URL + "/text", "body_type": "raw", "body": "a,b\n1,2", "content_type": "text/csv"},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				if err != nil || c.contentType != "text/csv" || c.body != "a,b\n1,2" || out.Body != "plain words" {
					t.Fatalf("err=%v request=%+v out=%+v", err, c, out)
				}
			},
		},
		{
			name:       "basic auth",
			input:      connectors.Values{"url": fake.URL + "/json"},
			credential: connectors.Values{"auth_type": "basic", "username": "ada", "password": "pw"},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ada:pw"))
				if err != nil || c.header.Get("Authorization") != want || c.method != "GET" {
					t.Fatalf("err=%v auth=%q", err, c.header.Get("Authorization"))
				}
			},
		},
		{
			name:       "api key header",
			input:      connectors.Values{"url": fake.URL + "/json"},
			credential: connectors.Values{"auth_type": "api_key", "api_key_header": "X-Api-Token", "api_key": "k-123"},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				if err != nil || c.header.Get("X-Api-Token") != "k-123" {
					t.Fatalf("err=%v header=%v", err, c.header)
				}
			},
		},
		{
			name:       "hmac signature",
			input:      connectors.Values{"method": "POST", "url": fake.URL + "/json", "body": map[string]any{"a": "b"}},
			credential: connectors.Values{"auth_type": "hmac", "hmac_secret": "It's a Secret to Everybody", "hmac_prefix": "sha256="},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				want := "sha256=" + hfhttp.Sign("sha256", []byte("It's a Secret to Everybody"), []byte(`{"a":"b"}`))
				if err != nil || c.header.Get("X-Signature-256") != want {
					t.Fatalf("err=%v signature=%q want %q", err, c.header.Get("X-Signature-256"), want)
				}
			},
		},
		{
			name:  "error status fails with provider message",
			input: connectors.Values{"url": fake.URL + "/missing"},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "order 7 not found") {
					t.Fatalf("err = %v", err)
				}
			},
		},
		{
			name:  "fail_on_status false returns the response",
			input: connectors.Values{"url": fake.URL + "/missing", "fail_on_status": false},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				if err != nil || out.Status != 404 || out.Body.(map[string]any)["message"] != "order 7 not found" {
					t.Fatalf("err=%v out=%+v", err, out)
				}
			},
		},
		{
			name:  "header value must be a string",
			input: connectors.Values{"url": fake.URL + "/json", "headers": map[string]any{"X-Obj": map[string]any{}}},
			check: func(t *testing.T, c captured, out *hfhttp.Output, err error) {
				if err == nil || !strings.Contains(err.Error(), "input.headers.X-Obj: want a string value") {
					t.Fatalf("err = %v", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got = captured{}
			res, err := reg.Invoke(context.Background(), connectors.Invocation{Connector: "http", Action: "request", Input: tc.input, Credential: tc.credential, RunID: "r", StepID: "s"})
			out, _ := res.(*hfhttp.Output)
			tc.check(t, got, out, err)
		})
	}
}

func TestSSRFGuardIsOn(t *testing.T) {
	fake := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		t.Error("the guarded request reached a loopback server")
	}))
	defer fake.Close()
	reg := connectors.NewRegistry()
	if err := reg.Register(hfhttp.New()); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{fake.URL, "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/"} {
		_, err := reg.Invoke(context.Background(), connectors.Invocation{Connector: "http", Action: "request", Input: connectors.Values{"url": u}})
		if err == nil || !strings.Contains(err.Error(), "is not allowed") || connectors.ClassOf(err) != connectors.ClassPermanent {
			t.Fatalf("%s: err = %v, want a permanent SSRF refusal", u, err)
		}
	}
}
