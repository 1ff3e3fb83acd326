package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// PutBlob stores data under id, replacing any earlier data with that id.
// The interpreter keeps large step outputs here so that Temporal history
// only carries the id, and records each call's result here (its effect
// record) right after the call, many at once under load.
//
// Concurrent puts share one transaction (group commit): the first caller
// writes every put queued while it waits for the writer, the others wait
// for that commit. A put returns once its data is committed.
func (s *Store) PutBlob(ctx context.Context, id string, data []byte) error {
	if id == "" {
		return fmt.Errorf("putting blob: empty id: %w", ErrInvalidArgument)
	}
	if data == nil {
		data = []byte{}
	}
	p := &blobPut{id: id, data: data, done: make(chan error, 1)}
	g := &s.blobPuts
	g.mu.Lock()
	g.queue = append(g.queue, p)
	if g.busy {
		g.mu.Unlock()
		select {
		case err := <-p.done:
			return err
		case <-ctx.Done():
			return fmt.Errorf("putting blob %s: %w", id, ctx.Err())
		}
	}
	g.busy = true
	for {
		batch := g.queue
		g.queue = nil
		g.mu.Unlock()
		// The batch holds other callers' puts: the leader's cancellation
		// must not fail them.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), blobPutTimeout)
		err := s.writeBlobs(wctx, batch)
		cancel()
		for _, q := range batch {
			if err != nil {
				q.done <- fmt.Errorf("putting blob %s: %w", q.id, err)
			} else {
				q.done <- nil
			}
		}
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.busy = false
			g.mu.Unlock()
			break
		}
	}
	return <-p.done
}

// blobPutTimeout bounds one group commit of blobs.
const blobPutTimeout = 30 * time.Second

// blobPut is one queued PutBlob.
type blobPut struct {
	id   string
	data []byte
	done chan error
}

// blobGroup queues the puts waiting for the leader's commit.
type blobGroup struct {
	mu    sync.Mutex
	queue []*blobPut
	busy  bool
}

const putBlobSQL = `INSERT INTO blobs (id, data, created_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`

// writeBlobs writes puts in one transaction (one statement for one put).
func (s *Store) writeBlobs(ctx context.Context, puts []*blobPut) error {
	t := ms(now())
	if len(puts) == 1 {
		_, err := s.execPrepared(ctx, nil, putBlobSQL, puts[0].id, puts[0].data, t)
		return err
	}
	if err := s.warm(ctx, putBlobSQL); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, p := range puts {
			if _, err := s.execPrepared(ctx, tx, putBlobSQL, p.id, p.data, t); err != nil {
				return err
			}
		}
		return nil
	})
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
