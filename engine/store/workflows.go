package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

type workflowRow struct {
	ID             string `db:"id"`
	Name           string `db:"name"`
	Active         bool   `db:"active"`
	CurrentVersion int    `db:"current_version"`
	Definition     string `db:"definition"`
	Hash           string `db:"hash"`
	CreatedAt      int64  `db:"created_at"`
	UpdatedAt      int64  `db:"updated_at"`
	DeletedAt      nullMS `db:"deleted_at"`
}

func (r workflowRow) workflow() Workflow {
	return Workflow{ID: r.ID, Name: r.Name, Active: r.Active, CurrentVersion: r.CurrentVersion,
		Definition: []byte(r.Definition), Hash: r.Hash, CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt),
		DeletedAt: fromMSPtr(r.DeletedAt)}
}

const workflowSelect = `SELECT w.id, w.name, w.active, w.current_version, v.definition, v.hash, w.created_at, w.updated_at, w.deleted_at
	FROM workflows w JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.current_version`

type versionRow struct {
	WorkflowID string `db:"workflow_id"`
	Version    int    `db:"version"`
	Definition string `db:"definition"`
	Hash       string `db:"hash"`
	CreatedAt  int64  `db:"created_at"`
	Author     string `db:"author"` // migration 0009
}

func (r versionRow) version() WorkflowVersion {
	return WorkflowVersion{WorkflowID: r.WorkflowID, Version: r.Version, Definition: []byte(r.Definition),
		Hash: r.Hash, CreatedAt: fromMS(r.CreatedAt), Author: r.Author}
}

// CreateWorkflow stores a new, inactive workflow with version 1. hash is the
// caller's content hash of definition (used to skip no-op updates). A name
// already used by a live workflow gives ErrConflict.
func (s *Store) CreateWorkflow(ctx context.Context, name string, definition []byte, hash string) (Workflow, error) {
	t := now()
	id := NewID("wf")
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO workflows (id, name, active, current_version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)`),
			id, name, false, ms(t), ms(t)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO workflow_versions (workflow_id, version, definition, hash, created_at, author) VALUES (?, 1, ?, ?, ?, ?)`),
			id, string(definition), hash, ms(t), authorOf(ctx))
		return err
	})
	if isUnique(err) {
		return Workflow{}, fmt.Errorf("creating workflow %q: name already in use: %w", name, ErrConflict)
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("creating workflow %q: %w", name, err)
	}
	return Workflow{ID: id, Name: name, CurrentVersion: 1, Definition: definition, Hash: hash, CreatedAt: t, UpdatedAt: t}, nil
}

// UpdateWorkflow renames the workflow and, when hash differs from the
// current version's hash, atomically adds definition as the next immutable
// version. Concurrent updates each get their own version number. A deleted
// or unknown workflow gives ErrNotFound; a name taken by another live
// workflow gives ErrConflict.
func (s *Store) UpdateWorkflow(ctx context.Context, id, name string, definition []byte, hash string) (Workflow, error) {
	t := now()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur workflowRow
		err := tx.GetContext(ctx, &cur, s.q(workflowSelect+` WHERE w.id = ? AND w.deleted_at IS NULL`), id)
		if err != nil {
			return notFound(err)
		}
		if cur.Hash == hash {
			if cur.Name == name {
				return nil
			}
			_, err := tx.ExecContext(ctx, s.q(`UPDATE workflows SET name = ?, updated_at = ? WHERE id = ?`), name, ms(t), id)
			return err
		}
		// The increment takes the row lock, so concurrent updates serialize
		// here and never compute the same version number.
		var v int
		if err := tx.GetContext(ctx, &v, s.q(`UPDATE workflows SET current_version = current_version + 1, name = ?, updated_at = ?
			WHERE id = ? RETURNING current_version`), name, ms(t), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO workflow_versions (workflow_id, version, definition, hash, created_at, author) VALUES (?, ?, ?, ?, ?, ?)`),
			id, v, string(definition), hash, ms(t), authorOf(ctx))
		return err
	})
	if isUnique(err) {
		return Workflow{}, fmt.Errorf("updating workflow %s: name %q already in use: %w", id, name, ErrConflict)
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("updating workflow %s: %w", id, err)
	}
	return s.GetWorkflow(ctx, id)
}

// GetWorkflow returns a live workflow with its current definition.
// Deleted or unknown workflows give ErrNotFound.
func (s *Store) GetWorkflow(ctx context.Context, id string) (Workflow, error) {
	var r workflowRow
	if err := s.rdb.GetContext(ctx, &r, s.q(workflowSelect+` WHERE w.id = ? AND w.deleted_at IS NULL`), id); err != nil {
		return Workflow{}, fmt.Errorf("getting workflow %s: %w", id, notFound(err))
	}
	return r.workflow(), nil
}

// GetWorkflowByName returns the live workflow with this name.
func (s *Store) GetWorkflowByName(ctx context.Context, name string) (Workflow, error) {
	var r workflowRow
	if err := s.rdb.GetContext(ctx, &r, s.q(workflowSelect+` WHERE w.name = ? AND w.deleted_at IS NULL`), name); err != nil {
		return Workflow{}, fmt.Errorf("getting workflow %q: %w", name, notFound(err))
	}
	return r.workflow(), nil
}

// WorkflowFilter selects workflows for ListWorkflows.
type WorkflowFilter struct {
	// Active, when set, keeps only active (true) or inactive (false) ones.
	Active *bool
	ListOptions
}

// ListWorkflows lists live workflows, newest first, with their current
// definitions.
func (s *Store) ListWorkflows(ctx context.Context, f WorkflowFilter) ([]Workflow, string, error) {
	var w where
	w.add("w.deleted_at IS NULL")
	if f.Active != nil {
		w.add("w.active = ?", *f.Active)
	}
	suffix, limit, err := w.pageAs("w.created_at", "w.id", f.ListOptions)
	if err != nil {
		return nil, "", fmt.Errorf("listing workflows: %w", err)
	}
	var rows []workflowRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(workflowSelect+w.sql()+suffix), w.args...); err != nil {
		return nil, "", fmt.Errorf("listing workflows: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeCursor(rows[limit-1].CreatedAt, rows[limit-1].ID)
	}
	out := make([]Workflow, len(rows))
	for i, r := range rows {
		out[i] = r.workflow()
	}
	return out, next, nil
}

// DeleteWorkflow soft-deletes a workflow and deactivates it. Its versions,
// runs and events are kept; its name becomes free.
func (s *Store) DeleteWorkflow(ctx context.Context, id string) error {
	t := ms(now())
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE workflows SET deleted_at = ?, active = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`),
		t, false, t, id)
	if err != nil {
		return fmt.Errorf("deleting workflow %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("deleting workflow %s: %w", id, ErrNotFound)
	}
	return nil
}

// SetWorkflowActive activates or deactivates a live workflow.
func (s *Store) SetWorkflowActive(ctx context.Context, id string, active bool) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE workflows SET active = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`),
		active, ms(now()), id)
	if err != nil {
		return fmt.Errorf("setting workflow %s active=%t: %w", id, active, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("setting workflow %s active=%t: %w", id, active, ErrNotFound)
	}
	return nil
}

// GetVersion returns version n of a workflow. Versions of deleted
// workflows stay readable, because their runs and events refer to them.
func (s *Store) GetVersion(ctx context.Context, workflowID string, n int) (WorkflowVersion, error) {
	var r versionRow
	if err := s.rdb.GetContext(ctx, &r, s.q(`SELECT * FROM workflow_versions WHERE workflow_id = ? AND version = ?`), workflowID, n); err != nil {
		return WorkflowVersion{}, fmt.Errorf("getting version %d of workflow %s: %w", n, workflowID, notFound(err))
	}
	return r.version(), nil
}

// ListVersions lists a workflow's versions, newest first, without their
// definitions paged beyond opts. The cursor is the version number.
func (s *Store) ListVersions(ctx context.Context, workflowID string, opts ListOptions) ([]WorkflowVersion, string, error) {
	var exists int
	if err := s.rdb.GetContext(ctx, &exists, s.q(`SELECT COUNT(*) FROM workflows WHERE id = ?`), workflowID); err != nil {
		return nil, "", fmt.Errorf("listing versions of workflow %s: %w", workflowID, err)
	}
	if exists == 0 {
		return nil, "", fmt.Errorf("listing versions of workflow %s: %w", workflowID, ErrNotFound)
	}
	var w where
	w.add("workflow_id = ?", workflowID)
	c, ok, err := decodeCursor(opts.Cursor)
	if err != nil {
		return nil, "", fmt.Errorf("listing versions of workflow %s: %w", workflowID, err)
	}
	if ok {
		w.add("version < ?", c.at)
	}
	limit := clampLimit(opts.Limit)
	var rows []versionRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(fmt.Sprintf(`SELECT * FROM workflow_versions%s ORDER BY version DESC LIMIT %d`, w.sql(), limit+1)), w.args...); err != nil {
		return nil, "", fmt.Errorf("listing versions of workflow %s: %w", workflowID, err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeCursor(int64(rows[limit-1].Version), workflowID)
	}
	out := make([]WorkflowVersion, len(rows))
	for i, r := range rows {
		out[i] = r.version()
	}
	return out, next, nil
}
