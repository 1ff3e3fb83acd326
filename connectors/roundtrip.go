package connectors

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// HTTPClient returns a standard *http.Client whose requests go through c:
// the same timeouts, response-size cap, plain-http rules and SSRF guard.
// It is for libraries that take an *http.Client, such as
// golang.org/x/oauth2 fetching a token. Unlike Do, it returns every
// response as it came, whatever its status (the library interprets it);
// a transport failure is c's classified *Error, wrapped by net/http in a
// *url.Error, so errors.As still finds its class. c's ResponseCheck is
// not run.
func (c *Client) HTTPClient() *http.Client {
	plain := *c
	plain.check = nil
	return &http.Client{Transport: roundTripper{c: &plain}}
}

type roundTripper struct{ c *Client }

// RoundTrip implements http.RoundTripper. Redirects were already followed
// by c, under its rules.
func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, Permanent(err)
		}
	}
	resp, err := rt.c.Do(r.Context(), &HTTPRequest{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(),
		Body: body, IgnoreStatus: true})
	if err != nil {
		return nil, err
	}
	h := resp.Header.Clone()
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	return &http.Response{
		Status:        strconv.Itoa(resp.Status) + " " + http.StatusText(resp.Status),
		StatusCode:    resp.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(resp.Body)),
		ContentLength: int64(len(resp.Body)),
		Request:       r,
	}, nil
}
