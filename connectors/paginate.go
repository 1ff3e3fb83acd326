package connectors

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// DefaultMaxPages bounds one paginated listing, so a provider that keeps
// returning a next link cannot keep an activity busy forever.
const DefaultMaxPages = 100

// NextPage computes the request for the page after resp, or returns nil
// when resp was the last page. prev is the request that produced resp; a
// NextPage must not modify it.
type NextPage func(prev *HTTPRequest, resp *HTTPResponse) (*HTTPRequest, error)

// Pages iterates over the pages of a listing, starting with first and
// following next. Each step yields the page's response, or an error (a
// classified error from Do, or a permanent one when next fails or the
// listing passes ClientConfig.MaxPages); iteration stops after an error.
//
//	for page, err := range client.Pages(ctx, first, connectors.LinkPages()) {
//		if err != nil { return nil, err }
//		...
//	}
func (c *Client) Pages(ctx context.Context, first *HTTPRequest, next NextPage) iter.Seq2[*HTTPResponse, error] {
	return func(yield func(*HTTPResponse, error) bool) {
		req := first
		for n := 0; req != nil; n++ {
			if n >= c.cfg.MaxPages {
				yield(nil, Permanent(fmt.Errorf("listing stopped after %d pages (MaxPages)", c.cfg.MaxPages)))
				return
			}
			resp, err := c.Do(ctx, req)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(resp, nil) {
				return
			}
			nreq, err := next(req, resp)
			if err != nil {
				yield(nil, Permanent(fmt.Errorf("finding next page: %w", err)))
				return
			}
			req = nreq
		}
	}
}

// withQuery returns a copy of prev with query parameter name set to value.
func withQuery(prev *HTTPRequest, name, value string) *HTTPRequest {
	cp := *prev
	q := url.Values{}
	for k, vs := range prev.Query {
		q[k] = append([]string(nil), vs...)
	}
	// The parameter may also sit in the URL itself; the override must win.
	if u, err := url.Parse(prev.URL); err == nil && u.Query().Has(name) {
		uq := u.Query()
		uq.Del(name)
		u.RawQuery = uq.Encode()
		cp.URL = u.String()
	}
	q.Set(name, value)
	cp.Query = q
	return &cp
}

// CursorPages follows a cursor found in the response body at cursorPath (a
// gjson path) by sending it as query parameter param. When hasMorePath is
// not empty, the listing ends when that boolean is false (Stripe's
// has_more); otherwise it ends when the cursor is empty. Examples:
//
//	Stripe:  CursorPages("starting_after", "data|@reverse|0.id", "has_more")
//	Slack:   CursorPages("cursor", "response_metadata.next_cursor", "")
//	HubSpot: CursorPages("after", "paging.next.after", "")
func CursorPages(param, cursorPath, hasMorePath string) NextPage {
	return func(prev *HTTPRequest, resp *HTTPResponse) (*HTTPRequest, error) {
		if hasMorePath != "" && !resp.Get(hasMorePath).Bool() {
			return nil, nil
		}
		cursor := resp.Get(cursorPath).String()
		if cursor == "" {
			if hasMorePath != "" {
				return nil, fmt.Errorf("%s is true but %s is empty", hasMorePath, cursorPath)
			}
			return nil, nil
		}
		if prev.Query.Get(param) == cursor {
			return nil, fmt.Errorf("cursor %s did not advance", param)
		}
		return withQuery(prev, param, cursor), nil
	}
}

// LinkPages follows the RFC 8288 Link header's rel="next" URL (Shopify,
// GitHub). A relative link is resolved against the response URL. The next
// request keeps prev's method and headers and carries no extra query: the
// link already holds it.
func LinkPages() NextPage {
	return func(prev *HTTPRequest, resp *HTTPResponse) (*HTTPRequest, error) {
		link := NextLink(resp.Header.Values("Link"))
		if link == "" {
			return nil, nil
		}
		u, err := url.Parse(link)
		if err != nil {
			return nil, fmt.Errorf("parsing Link header: %w", redactURLError(err))
		}
		if resp.URL != nil {
			u = resp.URL.ResolveReference(u)
		}
		cp := *prev
		cp.URL = u.String()
		cp.Query = nil
		return &cp, nil
	}
}

// NextLink returns the target of rel="next" in Link header values, or "".
func NextLink(values []string) string {
	for _, v := range values {
		for _, part := range splitLinks(v) {
			segs := strings.Split(part, ";")
			target := strings.TrimSpace(segs[0])
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range segs[1:] {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target[1 : len(target)-1]
					}
				}
			}
		}
	}
	return ""
}

// splitLinks splits a Link header on the commas between links, not those
// inside <…> targets.
func splitLinks(v string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range v {
		switch r {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, v[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, v[start:])
}

// PageNumberPages requests page 1, 2, 3… through query parameter param
// (starting from the value in the first request, or 1) and stops at the
// first page whose array at itemsPath is empty or missing. When totalPath is
// set (a gjson path to the total page count), it also stops at that page.
func PageNumberPages(param, itemsPath, totalPath string) NextPage {
	return func(prev *HTTPRequest, resp *HTTPResponse) (*HTTPRequest, error) {
		items := resp.Get(itemsPath)
		if !items.IsArray() || len(items.Array()) == 0 {
			return nil, nil
		}
		page := 1
		if v := prev.Query.Get(param); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("page parameter %s=%q is not a number", param, v)
			}
			page = n
		} else if u, err := url.Parse(prev.URL); err == nil && u.Query().Get(param) != "" {
			if n, err := strconv.Atoi(u.Query().Get(param)); err == nil {
				page = n
			}
		}
		if totalPath != "" {
			if total := resp.Get(totalPath); total.Exists() && page >= int(total.Int()) {
				return nil, nil
			}
		}
		return withQuery(prev, param, strconv.Itoa(page+1)), nil
	}
}
