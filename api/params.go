package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/store"
)

// Page is the body of every list response. NextCursor is empty on the last
// page; pass it back as ?cursor= to get the next one. The order is stable
// (newest first, ties broken by id) even while rows are added.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func page[T any](items []T, next string) Page[T] {
	if items == nil {
		items = []T{}
	}
	return Page[T]{Items: items, NextCursor: next}
}

// listOptions reads ?limit= and ?cursor=. A limit outside 1..MaxListLimit
// is a validation error rather than silently clamped, so scripts notice.
func listOptions(c *gin.Context) (store.ListOptions, bool) {
	opts := store.ListOptions{Cursor: c.Query("cursor")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxListLimit {
			badRequest(c, "limit", "must be an integer from 1 to "+strconv.Itoa(store.MaxListLimit))
			return opts, false
		}
		opts.Limit = n
	}
	return opts, true
}

// timeParam reads an RFC 3339 time (or unix seconds) query parameter.
func timeParam(c *gin.Context, name string) (time.Time, bool) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, true
	}
	if t, err := parseTime(v); err == nil {
		return t, true
	}
	badRequest(c, name, "must be an RFC 3339 time such as 2024-05-01T10:00:00Z, or unix seconds")
	return time.Time{}, false
}

// bindJSON decodes the request body into v. Unknown fields are refused so
// a typo is reported instead of ignored. An empty body is allowed when
// optional is true.
func bindJSON(c *gin.Context, v any, optional bool) bool {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			problem(c, Problem{Type: ProblemBadRequest, Title: "the request body is too large", Status: http.StatusRequestEntityTooLarge,
				Detail: "the body is over the limit of " + strconv.FormatInt(mbe.Limit, 10) + " bytes"})
			return false
		}
		problem(c, Problem{Type: ProblemBadRequest, Title: "the request body could not be read", Status: http.StatusBadRequest, Detail: err.Error()})
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if optional {
			return true
		}
		badRequest(c, "body", "required: send a JSON object")
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			badRequest(c, "body", "malformed JSON at byte "+strconv.FormatInt(se.Offset, 10)+": "+se.Error())
		case errors.As(err, &te):
			badRequest(c, te.Field, "want "+te.Type.String()+", got JSON "+te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			badRequest(c, strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
		default:
			badRequest(c, "body", err.Error())
		}
		return false
	}
	return true
}

// intParam reads a positive integer path parameter.
func intParam(c *gin.Context, name string) (int, bool) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil || n < 1 {
		badRequest(c, name, "must be a positive integer")
		return 0, false
	}
	return n, true
}

// parseTime accepts RFC 3339 or unix seconds.
func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, errors.New("not an RFC 3339 time or unix seconds")
	}
	return time.Unix(n, 0).UTC(), nil
}
