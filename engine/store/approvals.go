package store

import (
	"context"
	"fmt"
	"time"
)

// ApprovalLinkUse is the use of one signed one-time approval link: ID is
// the link's id (its nonce), the rest say who decided what, for which run
// and step, and until when the link could have been used.
type ApprovalLinkUse struct {
	ID        string
	RunID     string
	Step      string
	Approver  string
	Approved  bool
	ExpiresAt time.Time
}

// UseApprovalLink marks an approval link as used. A link already used
// gives an error wrapping ErrConflict: a link decides once, even when two
// requests race on two server processes (the primary key decides).
func (s *Store) UseApprovalLink(ctx context.Context, u ApprovalLinkUse) error {
	approved := 0
	if u.Approved {
		approved = 1
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO approval_links_used (id, run_id, step, approver, approved, used_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), u.ID, u.RunID, u.Step, u.Approver, approved, ms(now()), ms(u.ExpiresAt))
	if isUnique(err) {
		return fmt.Errorf("using approval link: the link has already been used: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("using approval link: %w", err)
	}
	return nil
}

// ApprovalLinkUsed reports whether the link with this id has been used.
func (s *Store) ApprovalLinkUsed(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.rdb.GetContext(ctx, &n, s.q(`SELECT COUNT(*) FROM approval_links_used WHERE id = ?`), id); err != nil {
		return false, fmt.Errorf("checking approval link: %w", err)
	}
	return n > 0, nil
}

// PruneApprovalLinks deletes the uses of links that expired before
// before: such a link no longer verifies, so its row guards nothing.
func (s *Store) PruneApprovalLinks(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM approval_links_used WHERE expires_at < ?`), ms(before))
	if err != nil {
		return 0, fmt.Errorf("pruning approval links: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
