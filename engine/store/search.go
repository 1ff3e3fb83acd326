package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/tidwall/gjson"
)

// DefaultSearchScan is how many rows one page of a body search reads at
// most (SearchRuns, SearchEvents).
//
// Why a bounded scan and not SQL: a match is a gjson path (what the UI's
// field picker writes, with modifiers and queries such as
// items.#(sku=="A1").qty) compared as a string, which neither SQLite's
// json_extract nor PostgreSQL's jsonb operators can evaluate, and event
// bodies are stored as bytes that need not even be JSON. So a search walks
// the rows newest first, in the list's own order, and tests each body in
// Go. The cost is one body read and one gjson lookup per row: 10,000 rows
// of 2 KB bodies is about 20 MB read and a few tens of milliseconds on
// SQLite. A page stops after DefaultSearchScan rows even when it found
// fewer matches than asked, and its next cursor continues the scan there,
// so no request reads the whole log; narrow with workflow, status or time
// filters to search further back in fewer pages.
const DefaultSearchScan = 10000

// searchBatch is how many rows a search reads per query.
const searchBatch = 200

// Limits of a BodyMatch, so a search term stays a search term.
const (
	maxMatchPath  = 256
	maxMatchValue = 4096
)

// BodyMatch selects rows whose event body has Value at the gjson Path.
// Value is compared with the string form of what the path finds: a
// string's text, a number's or boolean's JSON text, an object's or
// array's raw JSON. An empty Path matches everything.
type BodyMatch struct {
	Path  string
	Value string
}

// Problem says what is wrong with the match, if anything: the field
// ("path" or "value") and a message for the person who typed it.
func (m BodyMatch) Problem() (field, message string) {
	switch {
	case m.Path == "":
		return "", ""
	case len(m.Path) > maxMatchPath:
		return "path", fmt.Sprintf("is longer than %d characters", maxMatchPath)
	case strings.TrimSpace(m.Path) != m.Path:
		return "path", "must not start or end with spaces"
	case len(m.Value) > maxMatchValue:
		return "value", fmt.Sprintf("is longer than %d characters", maxMatchValue)
	}
	return "", ""
}

// check is Problem as an error wrapping ErrInvalidArgument.
func (m BodyMatch) check() error {
	if field, msg := m.Problem(); field != "" {
		return fmt.Errorf("%s: %s: %w", field, msg, ErrInvalidArgument)
	}
	return nil
}

// matches reports whether body has the value at the path.
func (m BodyMatch) matches(body []byte) bool {
	if len(body) == 0 || !gjson.ValidBytes(body) {
		return false
	}
	r := gjson.GetBytes(body, m.Path)
	return r.Exists() && r.String() == m.Value
}

// scan walks pages of rows from list (newest first, as the lists go),
// keeping the ones keep accepts, until it has limit of them or has read
// DefaultSearchScan rows. It returns the cursor after the last row read
// when more rows may remain.
func scan[T any](opts ListOptions, list func(ListOptions) ([]T, string, error), keep func([]T) ([]bool, error),
	cursorOf func(T) string) ([]T, string, error) {
	limit := clampLimit(opts.Limit)
	var out []T
	read := 0
	cursor := opts.Cursor
	for {
		batch := min(searchBatch, DefaultSearchScan-read)
		rows, next, err := list(ListOptions{Limit: batch, Cursor: cursor})
		if err != nil {
			return nil, "", err
		}
		ok, err := keep(rows)
		if err != nil {
			return nil, "", err
		}
		for i, r := range rows {
			read++
			if ok[i] {
				out = append(out, r)
			}
			if len(out) == limit {
				if i == len(rows)-1 && next == "" {
					return out, "", nil
				}
				return out, cursorOf(r), nil
			}
		}
		if next == "" {
			return out, "", nil
		}
		if read >= DefaultSearchScan {
			return out, next, nil
		}
		cursor = next
	}
}

// SearchRuns is ListRuns keeping only the runs whose event body matches
// f.Match (all runs when its Path is empty); see DefaultSearchScan for
// its cost and why a page may hold fewer runs than asked and still have a
// next cursor. Runs without an event (an event pruned by retention, a
// call_workflow child) never match.
func (s *Store) SearchRuns(ctx context.Context, f RunFilter) ([]Run, string, error) {
	if f.Match.Path == "" {
		return s.ListRuns(ctx, f)
	}
	if err := f.Match.check(); err != nil {
		return nil, "", fmt.Errorf("searching runs: %w", err)
	}
	list := func(o ListOptions) ([]Run, string, error) {
		g := f
		g.ListOptions = o
		return s.ListRuns(ctx, g)
	}
	keep := func(runs []Run) ([]bool, error) {
		ids := make([]string, 0, len(runs))
		for _, r := range runs {
			if r.EventID != "" {
				ids = append(ids, r.EventID)
			}
		}
		bodies, err := s.eventBodies(ctx, ids)
		if err != nil {
			return nil, err
		}
		ok := make([]bool, len(runs))
		for i, r := range runs {
			ok[i] = f.Match.matches(bodies[r.EventID])
		}
		return ok, nil
	}
	runs, next, err := scan(f.ListOptions, list, keep, func(r Run) string { return encodeCursor(ms(r.StartedAt), r.ID) })
	if err != nil {
		return nil, "", fmt.Errorf("searching runs: %w", err)
	}
	return runs, next, nil
}

// SearchEvents is ListEvents keeping only the events whose body matches
// f.Match (all events when its Path is empty); see SearchRuns.
func (s *Store) SearchEvents(ctx context.Context, f EventFilter) ([]Event, string, error) {
	if f.Match.Path == "" {
		return s.ListEvents(ctx, f)
	}
	if err := f.Match.check(); err != nil {
		return nil, "", fmt.Errorf("searching events: %w", err)
	}
	withBody := f.IncludeBody
	list := func(o ListOptions) ([]Event, string, error) {
		g := f
		g.ListOptions, g.IncludeBody = o, true
		return s.ListEvents(ctx, g)
	}
	keep := func(events []Event) ([]bool, error) {
		ok := make([]bool, len(events))
		for i, e := range events {
			ok[i] = f.Match.matches(e.Body)
		}
		return ok, nil
	}
	events, next, err := scan(f.ListOptions, list, keep, func(e Event) string { return encodeCursor(ms(e.ReceivedAt), e.ID) })
	if err != nil {
		return nil, "", fmt.Errorf("searching events: %w", err)
	}
	if !withBody {
		for i := range events {
			events[i].Body, events[i].Headers = nil, nil
		}
	}
	return events, next, nil
}

// eventBodies reads the bodies of the given events by id.
func (s *Store) eventBodies(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT id, body FROM events WHERE id IN (?)`, ids)
	if err != nil {
		return nil, fmt.Errorf("reading event bodies: %w", err)
	}
	var rows []struct {
		ID   string `db:"id"`
		Body []byte `db:"body"`
	}
	if err := s.rdb.SelectContext(ctx, &rows, s.q(q), args...); err != nil {
		return nil, fmt.Errorf("reading event bodies: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Body
	}
	return out, nil
}
