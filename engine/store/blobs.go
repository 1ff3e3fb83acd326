package store

import (
	"context"
	"fmt"
	"time"
)

// PutBlob stores data under id, replacing any earlier data with that id.
// The interpreter keeps large step outputs here so that Temporal history
// only carries the id.
func (s *Store) PutBlob(ctx context.Context, id string, data []byte) error {
	if id == "" {
		return fmt.Errorf("putting blob: empty id: %w", ErrInvalidArgument)
	}
	if data == nil {
		data = []byte{}
	}
	_, err := s.execPrepared(ctx, nil, `INSERT INTO blobs (id, data, created_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`, id, data, ms(now()))
	if err != nil {
		return fmt.Errorf("putting blob %s: %w", id, err)
	}
	return nil
}

// GetBlob returns the data stored under id.
func (s *Store) GetBlob(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	if err := s.getPrepared(ctx, nil, &data, `SELECT data FROM blobs WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("getting blob %s: %w", id, notFound(err))
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// PruneBlobs deletes blobs created before `before`, in batches.
func (s *Store) PruneBlobs(ctx context.Context, before time.Time, batch int) (int, error) {
	return s.pruneBatches(ctx, "blobs", "created_at", before, batch, "")
}
