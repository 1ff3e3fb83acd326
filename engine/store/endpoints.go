package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// endpointTokenBytes is the token's entropy: 24 random bytes (192 bits),
// 32 URL-safe characters, well above the 128 bits issue 5 asks for.
const endpointTokenBytes = 24

type endpointRow struct {
	ID           string  `db:"id"`
	WorkflowID   string  `db:"workflow_id"`
	Token        string  `db:"token"`
	Enabled      bool    `db:"enabled"`
	MaxBodyBytes int64   `db:"max_body_bytes"`
	RateLimit    float64 `db:"rate_limit"`
	RateBurst    int     `db:"rate_burst"`
	IPAllowlist  string  `db:"ip_allowlist"`
	Sample       []byte  `db:"sample"`
	SampleAt     nullMS  `db:"sample_at"`
	CreatedAt    int64   `db:"created_at"`
	UpdatedAt    int64   `db:"updated_at"`
	// Added by migration 0009.
	PreviousToken      sql.NullString `db:"previous_token"`
	PreviousTokenUntil nullMS         `db:"previous_token_until"`
}

func (r endpointRow) endpoint() (Endpoint, error) {
	e := Endpoint{ID: r.ID, WorkflowID: r.WorkflowID, Token: r.Token, Enabled: r.Enabled, MaxBodyBytes: r.MaxBodyBytes,
		RateLimit: r.RateLimit, RateBurst: r.RateBurst, Sample: r.Sample, SampleAt: fromMSPtr(r.SampleAt),
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt), IPAllowlist: []string{}}
	// An expired previous token no longer works, so it is not shown.
	if r.PreviousToken.Valid && r.PreviousTokenUntil.Valid && r.PreviousTokenUntil.Int64 > ms(now()) {
		e.PreviousToken, e.PreviousTokenUntil = r.PreviousToken.String, fromMSPtr(r.PreviousTokenUntil)
	}
	if r.IPAllowlist != "" {
		if err := json.Unmarshal([]byte(r.IPAllowlist), &e.IPAllowlist); err != nil {
			return Endpoint{}, fmt.Errorf("decoding ip_allowlist of endpoint %s: %w", r.ID, err)
		}
	}
	return e, nil
}

// NewEndpoint holds the settings of an endpoint to create. Zero values take
// the defaults: enabled, DefaultMaxBodyBytes, no rate limit, no allowlist.
type NewEndpoint struct {
	WorkflowID   string
	Disabled     bool
	MaxBodyBytes int64
	RateLimit    float64
	RateBurst    int
	IPAllowlist  []string
}

// CreateEndpoint adds a webhook endpoint with a fresh random token to a
// live workflow. An unknown workflow gives ErrNotFound.
func (s *Store) CreateEndpoint(ctx context.Context, p NewEndpoint) (Endpoint, error) {
	if _, err := s.GetWorkflow(ctx, p.WorkflowID); err != nil {
		return Endpoint{}, fmt.Errorf("creating endpoint: %w", err)
	}
	if p.MaxBodyBytes <= 0 {
		p.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if p.IPAllowlist == nil {
		p.IPAllowlist = []string{}
	}
	allow, err := marshalJSON(p.IPAllowlist)
	if err != nil {
		return Endpoint{}, fmt.Errorf("creating endpoint: %w", err)
	}
	t := now()
	e := Endpoint{ID: NewID("ep"), WorkflowID: p.WorkflowID, Token: randomToken(endpointTokenBytes), Enabled: !p.Disabled,
		MaxBodyBytes: p.MaxBodyBytes, RateLimit: p.RateLimit, RateBurst: p.RateBurst, IPAllowlist: p.IPAllowlist,
		CreatedAt: t, UpdatedAt: t}
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO endpoints (id, workflow_id, token, enabled, max_body_bytes, rate_limit, rate_burst, ip_allowlist, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ID, e.WorkflowID, e.Token, e.Enabled, e.MaxBodyBytes, e.RateLimit, e.RateBurst, allow, ms(t), ms(t))
	if isForeignKey(err) {
		return Endpoint{}, fmt.Errorf("creating endpoint: workflow %s: %w", p.WorkflowID, ErrNotFound)
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("creating endpoint: %w", err)
	}
	return e, nil
}

func (s *Store) getEndpoint(ctx context.Context, col, val string) (Endpoint, error) {
	var r endpointRow
	if err := s.rdb.GetContext(ctx, &r, s.q(`SELECT * FROM endpoints WHERE `+col+` = ?`), val); err != nil {
		return Endpoint{}, notFound(err)
	}
	return r.endpoint()
}

// GetEndpoint returns an endpoint by id.
func (s *Store) GetEndpoint(ctx context.Context, id string) (Endpoint, error) {
	e, err := s.getEndpoint(ctx, "id", id)
	if err != nil {
		return Endpoint{}, fmt.Errorf("getting endpoint %s: %w", id, err)
	}
	return e, nil
}

// GetEndpointByToken returns the endpoint behind /hooks/{token}, enabled or
// not; the caller decides how to answer for a disabled one. A token
// replaced by a rotation with a grace period still finds its endpoint
// until the grace period ends (the caller tells the two apart by comparing
// token with Endpoint.Token). The error never contains the token.
func (s *Store) GetEndpointByToken(ctx context.Context, token string) (Endpoint, error) {
	var r endpointRow
	err := s.rdb.GetContext(ctx, &r, s.q(`SELECT * FROM endpoints WHERE token = ?
		UNION ALL SELECT * FROM endpoints WHERE previous_token = ? AND previous_token_until > ?`), token, token, ms(now()))
	if err != nil {
		return Endpoint{}, fmt.Errorf("getting endpoint by token: %w", notFound(err))
	}
	return r.endpoint()
}

// ListEndpoints lists the endpoints of one workflow, or of all workflows
// when workflowID is empty, oldest first.
func (s *Store) ListEndpoints(ctx context.Context, workflowID string) ([]Endpoint, error) {
	var w where
	if workflowID != "" {
		w.add("workflow_id = ?", workflowID)
	}
	var rows []endpointRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT * FROM endpoints`+w.sql()+` ORDER BY created_at, id`), w.args...); err != nil {
		return nil, fmt.Errorf("listing endpoints: %w", err)
	}
	out := make([]Endpoint, 0, len(rows))
	for _, r := range rows {
		e, err := r.endpoint()
		if err != nil {
			return nil, fmt.Errorf("listing endpoints: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

// RotateEndpointToken gives the endpoint a new random token. With grace
// zero the old URL stops working at once; otherwise the old token keeps
// working until now+grace (durably, in previous_token). A token replaced
// by an earlier rotation stops at once either way: one endpoint has at
// most two working URLs.
func (s *Store) RotateEndpointToken(ctx context.Context, id string, grace time.Duration) (Endpoint, error) {
	t := now()
	var res sql.Result
	var err error
	if grace > 0 {
		// SET reads the row as it was, so previous_token gets the old token
		// on both SQLite and PostgreSQL.
		res, err = s.db.ExecContext(ctx, s.q(`UPDATE endpoints SET previous_token = token, previous_token_until = ?, token = ?, updated_at = ? WHERE id = ?`),
			ms(t.Add(grace)), randomToken(endpointTokenBytes), ms(t), id)
	} else {
		res, err = s.db.ExecContext(ctx, s.q(`UPDATE endpoints SET previous_token = NULL, previous_token_until = NULL, token = ?, updated_at = ? WHERE id = ?`),
			randomToken(endpointTokenBytes), ms(t), id)
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("rotating token of endpoint %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Endpoint{}, fmt.Errorf("rotating token of endpoint %s: %w", id, ErrNotFound)
	}
	return s.GetEndpoint(ctx, id)
}

// UpdateEndpoint changes the non-nil settings and returns the endpoint.
func (s *Store) UpdateEndpoint(ctx context.Context, id string, set EndpointSettings) (Endpoint, error) {
	var sets []string
	var args []any
	if set.Enabled != nil {
		sets, args = append(sets, "enabled = ?"), append(args, *set.Enabled)
	}
	if set.MaxBodyBytes != nil {
		if *set.MaxBodyBytes <= 0 {
			return Endpoint{}, fmt.Errorf("updating endpoint %s: max_body_bytes must be positive: %w", id, ErrInvalidArgument)
		}
		sets, args = append(sets, "max_body_bytes = ?"), append(args, *set.MaxBodyBytes)
	}
	if set.RateLimit != nil {
		if *set.RateLimit < 0 {
			return Endpoint{}, fmt.Errorf("updating endpoint %s: rate_limit must not be negative: %w", id, ErrInvalidArgument)
		}
		sets, args = append(sets, "rate_limit = ?"), append(args, *set.RateLimit)
	}
	if set.RateBurst != nil {
		if *set.RateBurst < 0 {
			return Endpoint{}, fmt.Errorf("updating endpoint %s: rate_burst must not be negative: %w", id, ErrInvalidArgument)
		}
		sets, args = append(sets, "rate_burst = ?"), append(args, *set.RateBurst)
	}
	if set.IPAllowlist != nil {
		list := *set.IPAllowlist
		if list == nil {
			list = []string{}
		}
		allow, err := marshalJSON(list)
		if err != nil {
			return Endpoint{}, fmt.Errorf("updating endpoint %s: %w", id, err)
		}
		sets, args = append(sets, "ip_allowlist = ?"), append(args, allow)
	}
	sets, args = append(sets, "updated_at = ?"), append(args, ms(now()))
	args = append(args, id)
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE endpoints SET `+joinComma(sets)+` WHERE id = ?`), args...)
	if err != nil {
		return Endpoint{}, fmt.Errorf("updating endpoint %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Endpoint{}, fmt.Errorf("updating endpoint %s: %w", id, ErrNotFound)
	}
	return s.GetEndpoint(ctx, id)
}

// SaveEndpointSample stores body as the endpoint's sample payload (listen
// mode), replacing the previous one.
func (s *Store) SaveEndpointSample(ctx context.Context, id string, body []byte) error {
	t := ms(now())
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE endpoints SET sample = ?, sample_at = ?, updated_at = ? WHERE id = ?`), body, t, t, id)
	if err != nil {
		return fmt.Errorf("saving sample of endpoint %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("saving sample of endpoint %s: %w", id, ErrNotFound)
	}
	return nil
}

// DeleteEndpoint removes an endpoint; its URL stops working. Events it
// received stay in the log.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM endpoints WHERE id = ?`), id)
	if err != nil {
		return fmt.Errorf("deleting endpoint %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("deleting endpoint %s: %w", id, ErrNotFound)
	}
	return nil
}
