package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Limits of the per-attempt delivery log.
const (
	// MaxAttemptResponseBytes caps the reply excerpt kept per attempt.
	MaxAttemptResponseBytes = 2048
	// MaxAttemptErrorBytes caps the error text kept per attempt.
	MaxAttemptErrorBytes = 4096
)

type deliveryAttemptRow struct {
	DeliveryID  string `db:"delivery_id"`
	Attempt     int    `db:"attempt"`
	Status      string `db:"status"`
	HTTPStatus  int    `db:"http_status"`
	Error       string `db:"error"`
	Response    string `db:"response"`
	LatencyMS   int64  `db:"latency_ms"`
	AttemptedAt int64  `db:"attempted_at"`
}

// logDeliveryAttempt appends the attempt just counted on delivery id to
// its log; it runs in RecordDeliveryAttempt's transaction, after the
// counter was bumped, so the counter is the attempt's number.
func (s *Store) logDeliveryAttempt(ctx context.Context, tx *sqlx.Tx, id string, a DeliveryAttempt, at int64) error {
	var n int
	if err := tx.GetContext(ctx, &n, s.q(`SELECT attempts FROM deliveries WHERE id = ?`), id); err != nil {
		return fmt.Errorf("numbering attempt: %w", err)
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO delivery_attempts (delivery_id, attempt, status, http_status, error, response, latency_ms, attempted_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		id, n, a.Status, a.HTTPStatus, truncateUTF8(a.Error, MaxAttemptErrorBytes),
		truncateUTF8(a.Response, MaxAttemptResponseBytes), a.Latency.Milliseconds(), at)
	if err != nil {
		return fmt.Errorf("logging attempt %d: %w", n, err)
	}
	return nil
}

// ListDeliveryAttempts returns every recorded attempt of a delivery,
// first attempt first. Attempts made before the log existed (migration
// 0009) are not in it; the delivery's counters still count them. An
// unknown delivery gives ErrNotFound.
func (s *Store) ListDeliveryAttempts(ctx context.Context, deliveryID string) ([]DeliveryAttemptLog, error) {
	if _, err := s.GetDelivery(ctx, deliveryID); err != nil {
		return nil, fmt.Errorf("listing attempts: %w", err)
	}
	var rows []deliveryAttemptRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt`), deliveryID); err != nil {
		return nil, fmt.Errorf("listing attempts of delivery %s: %w", deliveryID, err)
	}
	out := make([]DeliveryAttemptLog, len(rows))
	for i, r := range rows {
		out[i] = DeliveryAttemptLog{Attempt: r.Attempt, Status: r.Status, HTTPStatus: r.HTTPStatus, Error: r.Error,
			Response: r.Response, LatencyMS: r.LatencyMS, AttemptedAt: fromMS(r.AttemptedAt)}
	}
	return out, nil
}

// truncateUTF8 cuts s to at most max bytes without splitting a character.
func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.ToValidUTF8(s, "")
}
