package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustWorkflow(t *testing.T, s *store.Store, name string) store.Workflow {
	t.Helper()
	w, err := s.CreateWorkflow(ctxT(t), name, []byte(`{"name":"`+name+`"}`), "h1-"+name)
	if err != nil {
		t.Fatalf("CreateWorkflow(%q): %v", name, err)
	}
	return w
}

func TestMigrate(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := ctxT(t)
			want, err := store.Migrations(b.Store.Dialect())
			if err != nil {
				t.Fatal(err)
			}
			// Migrating again, and from several processes at once, is a no-op.
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := store.Open(ctx, b.URL)
					if err != nil {
						errs <- err
						return
					}
					defer s.Close()
					errs <- s.Migrate(ctx)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent Migrate: %v", err)
				}
			}
			if err := b.Store.Migrate(ctx); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			v, err := b.Store.SchemaVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != want[len(want)-1].Version {
				t.Fatalf("SchemaVersion = %d, want %d", v, want[len(want)-1].Version)
			}
			var rows int
			if err := b.Store.DB().GetContext(ctx, &rows, `SELECT COUNT(*) FROM schema_migrations`); err != nil {
				t.Fatal(err)
			}
			if rows != len(want) {
				t.Fatalf("schema_migrations has %d rows, want %d", rows, len(want))
			}
		})
	}
}

func TestMigrateFreshConcurrent(t *testing.T) {
	// Several processes starting on an empty database at once.
	urls := []struct{ name, url string }{{"sqlite", storetest.SQLiteURL(t)}}
	if b := storetest.Backends(t); len(b) > 1 {
		urls = append(urls, struct{ name, url string }{"postgres", storetest.PostgresURL(t)})
	}
	for _, u := range urls {
		t.Run(u.name, func(t *testing.T) {
			ctx := ctxT(t)
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := store.Open(ctx, u.url)
					if err != nil {
						errs <- err
						return
					}
					defer s.Close()
					errs <- s.Migrate(ctx)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent first Migrate: %v", err)
				}
			}
			s := storetest.Open(t, u.url)
			if v, err := s.SchemaVersion(ctx); err != nil || v < 1 {
				t.Fatalf("SchemaVersion = %d, %v", v, err)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		wantIn   []string
		wantNot  []string
		postgres bool
	}{
		{name: "unreachable postgres names host, hides password",
			url:     "postgres://admin:s3cr3tpass@127.0.0.1:1/db?sslmode=disable",
			wantIn:  []string{"127.0.0.1:1"},
			wantNot: []string{"s3cr3tpass"}},
		{name: "unresolvable postgres host",
			url:     "postgresql://u:hunter2hunter2@no-such-host.invalid:5432/db?sslmode=disable",
			wantIn:  []string{"no-such-host.invalid"},
			wantNot: []string{"hunter2hunter2"}},
		{name: "malformed postgres URL hides password",
			url:     "postgres://u:pa%zzword@host/db",
			wantIn:  []string{"malformed"},
			wantNot: []string{"pa%zzword"}},
		{name: "sqlite in a missing folder",
			url:    "sqlite:/nonexistent-dir/x/hookflow.db",
			wantIn: []string{"/nonexistent-dir/x/hookflow.db"}},
		{name: "empty", url: "", wantIn: []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := store.Open(ctxT(t), tt.url)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error has several lines: %q", msg)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(msg, w) {
					t.Errorf("error %q leaks %q", msg, w)
				}
			}
		})
	}
}

func TestOpenForms(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		url  string
	}{
		{"sqlite prefix", "sqlite:" + dir + "/a.db"},
		{"sqlite scheme", "sqlite://" + dir + "/b.db"},
		{"plain path", dir + "/c.db"},
		{"memory", "sqlite::memory:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := ctxT(t)
			s, err := store.Open(ctx, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if s.Dialect() != store.DialectSQLite {
				t.Errorf("Dialect = %q", s.Dialect())
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.PutSetting(ctx, "k", "v"); err != nil {
				t.Fatal(err)
			}
			if v, ok, err := s.GetSetting(ctx, "k"); err != nil || !ok || v != "v" {
				t.Fatalf("GetSetting = %q %v %v", v, ok, err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		if _, ok, err := s.GetSetting(ctx, "missing"); err != nil || ok {
			t.Fatalf("GetSetting(missing) = %v, %v", ok, err)
		}
		for _, v := range []string{"one", "two"} {
			if err := s.PutSetting(ctx, "cluster_id", v); err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.GetSetting(ctx, "cluster_id")
			if err != nil || !ok || got != v {
				t.Fatalf("GetSetting = %q, %v, %v; want %q", got, ok, err, v)
			}
		}
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		k, plain, err := s.CreateAPIKey(ctx, "ci", store.ScopeEditor)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(plain, store.APIKeyPrefix) || !strings.HasPrefix(plain, k.Prefix) || len(plain) < 40 {
			t.Fatalf("plaintext %q / prefix %q", plain, k.Prefix)
		}
		var hash string
		if err := s.DB().GetContext(ctx, &hash, s.DB().Rebind(`SELECT key_hash FROM api_keys WHERE id = ?`), k.ID); err != nil {
			t.Fatal(err)
		}
		if hash == plain || strings.Contains(hash, plain[len(store.APIKeyPrefix):]) {
			t.Fatal("stored hash holds the plaintext")
		}
		got, err := s.VerifyAPIKey(ctx, plain)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != k.ID || got.Scope != store.ScopeEditor || got.LastUsedAt == nil {
			t.Fatalf("VerifyAPIKey = %+v", got)
		}
		tests := []struct {
			name  string
			key   string
			scope string
		}{
			{name: "wrong key", key: plain + "x"},
			{name: "empty key", key: ""},
			{name: "bad scope", scope: "root"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.scope != "" {
					if _, _, err := s.CreateAPIKey(ctx, "x", tt.scope); !errors.Is(err, store.ErrInvalidArgument) {
						t.Fatalf("CreateAPIKey(scope %q) = %v, want ErrInvalidArgument", tt.scope, err)
					}
					return
				}
				if _, err := s.VerifyAPIKey(ctx, tt.key); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("VerifyAPIKey = %v, want ErrNotFound", err)
				}
			})
		}
		if n, err := s.CountAPIKeys(ctx, store.ScopeEditor); err != nil || n != 1 {
			t.Fatalf("CountAPIKeys = %d, %v", n, err)
		}
		if err := s.RevokeAPIKey(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAPIKey(ctx, plain); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("VerifyAPIKey(revoked) = %v, want ErrNotFound", err)
		}
		if err := s.RevokeAPIKey(ctx, k.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second RevokeAPIKey = %v, want ErrNotFound", err)
		}
		keys, _, err := s.ListAPIKeys(ctx, store.ListOptions{})
		if err != nil || len(keys) != 1 || keys[0].RevokedAt == nil {
			t.Fatalf("ListAPIKeys = %+v, %v", keys, err)
		}
	})
}

func TestWorkflows(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		w := mustWorkflow(t, s, "payments")
		if w.CurrentVersion != 1 || w.Active {
			t.Fatalf("new workflow = %+v", w)
		}
		if _, err := s.CreateWorkflow(ctx, "payments", []byte(`{}`), "x"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate name: %v, want ErrConflict", err)
		}
		// Same hash: no new version.
		same, err := s.UpdateWorkflow(ctx, w.ID, "payments", []byte(`{"name":"payments"}`), w.Hash)
		if err != nil || same.CurrentVersion != 1 {
			t.Fatalf("no-op update = %+v, %v", same, err)
		}
		// Concurrent updates each get their own version.
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for i := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.UpdateWorkflow(ctx, w.ID, "payments", []byte(fmt.Sprintf(`{"v":%d}`, i)), fmt.Sprintf("h-%d", i))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent UpdateWorkflow: %v", err)
			}
		}
		got, err := s.GetWorkflow(ctx, w.ID)
		if err != nil || got.CurrentVersion != 6 {
			t.Fatalf("GetWorkflow = %+v, %v; want version 6", got, err)
		}
		v1, err := s.GetVersion(ctx, w.ID, 1)
		if err != nil || string(v1.Definition) != `{"name":"payments"}` {
			t.Fatalf("GetVersion(1) = %+v, %v", v1, err)
		}
		vs, next, err := s.ListVersions(ctx, w.ID, store.ListOptions{Limit: 4})
		if err != nil || len(vs) != 4 || vs[0].Version != 6 || next == "" {
			t.Fatalf("ListVersions page 1 = %d items, next %q, %v", len(vs), next, err)
		}
		vs2, next2, err := s.ListVersions(ctx, w.ID, store.ListOptions{Limit: 4, Cursor: next})
		if err != nil || len(vs2) != 2 || vs2[1].Version != 1 || next2 != "" {
			t.Fatalf("ListVersions page 2 = %+v, next %q, %v", vs2, next2, err)
		}
		other := mustWorkflow(t, s, "other")
		if _, err := s.UpdateWorkflow(ctx, other.ID, "payments", []byte(`{}`), "z"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("rename onto taken name: %v, want ErrConflict", err)
		}
		if err := s.SetWorkflowActive(ctx, w.ID, true); err != nil {
			t.Fatal(err)
		}
		active := true
		list, _, err := s.ListWorkflows(ctx, store.WorkflowFilter{Active: &active})
		if err != nil || len(list) != 1 || list[0].ID != w.ID {
			t.Fatalf("ListWorkflows(active) = %+v, %v", list, err)
		}
		byName, err := s.GetWorkflowByName(ctx, "payments")
		if err != nil || byName.ID != w.ID || !byName.Active {
			t.Fatalf("GetWorkflowByName = %+v, %v", byName, err)
		}
		if err := s.DeleteWorkflow(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		notFound := []struct {
			name string
			fn   func() error
		}{
			{"get deleted", func() error { _, err := s.GetWorkflow(ctx, w.ID); return err }},
			{"get by name deleted", func() error { _, err := s.GetWorkflowByName(ctx, "payments"); return err }},
			{"delete twice", func() error { return s.DeleteWorkflow(ctx, w.ID) }},
			{"activate deleted", func() error { return s.SetWorkflowActive(ctx, w.ID, true) }},
			{"update deleted", func() error { _, err := s.UpdateWorkflow(ctx, w.ID, "p", nil, "q"); return err }},
			{"unknown version", func() error { _, err := s.GetVersion(ctx, other.ID, 9); return err }},
			{"versions of unknown", func() error { _, _, err := s.ListVersions(ctx, "wf_nope", store.ListOptions{}); return err }},
		}
		for _, tt := range notFound {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.fn(); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("got %v, want ErrNotFound", err)
				}
			})
		}
		// Versions of a deleted workflow stay readable; its name is free again.
		if _, err := s.GetVersion(ctx, w.ID, 3); err != nil {
			t.Fatalf("GetVersion of deleted workflow: %v", err)
		}
		if _, err := s.CreateWorkflow(ctx, "payments", []byte(`{}`), "n"); err != nil {
			t.Fatalf("reusing a deleted name: %v", err)
		}
	})
}

func TestPagination(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		const n = 23
		want := map[string]bool{}
		for i := range n {
			w := mustWorkflow(t, s, fmt.Sprintf("wf-%02d", i))
			want[w.ID] = true
		}
		var seen []store.Workflow
		cursor := ""
		pages := 0
		for {
			page, next, err := s.ListWorkflows(ctx, store.WorkflowFilter{ListOptions: store.ListOptions{Limit: 5, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			seen = append(seen, page...)
			// A row inserted mid-listing is newer than every cursor, so it
			// never shifts later pages.
			if pages == 2 {
				mustWorkflow(t, s, "late")
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if pages != 5 || len(seen) != n {
			t.Fatalf("got %d rows in %d pages, want %d in 5", len(seen), pages, n)
		}
		for i, w := range seen {
			if !want[w.ID] {
				t.Fatalf("row %d (%s) unexpected or repeated", i, w.Name)
			}
			delete(want, w.ID)
			if i > 0 {
				prev := seen[i-1]
				if prev.CreatedAt.Before(w.CreatedAt) || (prev.CreatedAt.Equal(w.CreatedAt) && prev.ID < w.ID) {
					t.Fatalf("order broken at %d", i)
				}
			}
		}
		for _, bad := range []string{"!!", "bm90LWEtY3Vyc29y"} {
			if _, _, err := s.ListWorkflows(ctx, store.WorkflowFilter{ListOptions: store.ListOptions{Cursor: bad}}); !errors.Is(err, store.ErrInvalidCursor) {
				t.Fatalf("cursor %q: %v, want ErrInvalidCursor", bad, err)
			}
		}
	})
}

func TestEndpoints(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		w := mustWorkflow(t, s, "hooks")
		e, err := s.CreateEndpoint(ctx, store.NewEndpoint{WorkflowID: w.ID, IPAllowlist: []string{"10.0.0.0/8"}})
		if err != nil {
			t.Fatal(err)
		}
		if !e.Enabled || e.MaxBodyBytes != store.DefaultMaxBodyBytes || len(e.Token) < 22 {
			t.Fatalf("new endpoint = %+v", e)
		}
		byTok, err := s.GetEndpointByToken(ctx, e.Token)
		if err != nil || byTok.ID != e.ID || len(byTok.IPAllowlist) != 1 {
			t.Fatalf("GetEndpointByToken = %+v, %v", byTok, err)
		}
		rot, err := s.RotateEndpointToken(ctx, e.ID, 0)
		if err != nil || rot.Token == e.Token {
			t.Fatalf("RotateEndpointToken = %+v, %v", rot, err)
		}
		if _, err := s.GetEndpointByToken(ctx, e.Token); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old token: %v, want ErrNotFound", err)
		}
		off, limit, burst, allow := false, 12.5, 30, []string{}
		up, err := s.UpdateEndpoint(ctx, e.ID, store.EndpointSettings{Enabled: &off, RateLimit: &limit, RateBurst: &burst, IPAllowlist: &allow})
		if err != nil || up.Enabled || up.RateLimit != 12.5 || up.RateBurst != 30 || len(up.IPAllowlist) != 0 {
			t.Fatalf("UpdateEndpoint = %+v, %v", up, err)
		}
		if err := s.SaveEndpointSample(ctx, e.ID, []byte(`{"id":"evt_1"}`)); err != nil {
			t.Fatal(err)
		}
		got, _ := s.GetEndpoint(ctx, e.ID)
		if string(got.Sample) != `{"id":"evt_1"}` || got.SampleAt == nil {
			t.Fatalf("sample = %q at %v", got.Sample, got.SampleAt)
		}
		list, err := s.ListEndpoints(ctx, w.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("ListEndpoints = %+v, %v", list, err)
		}
		neg := -1.0
		tests := []struct {
			name string
			fn   func() error
			want error
		}{
			{"create for unknown workflow", func() error { _, err := s.CreateEndpoint(ctx, store.NewEndpoint{WorkflowID: "wf_x"}); return err }, store.ErrNotFound},
			{"get unknown", func() error { _, err := s.GetEndpoint(ctx, "ep_x"); return err }, store.ErrNotFound},
			{"rotate unknown", func() error { _, err := s.RotateEndpointToken(ctx, "ep_x", 0); return err }, store.ErrNotFound},
			{"update unknown", func() error { _, err := s.UpdateEndpoint(ctx, "ep_x", store.EndpointSettings{}); return err }, store.ErrNotFound},
			{"negative rate", func() error {
				_, err := s.UpdateEndpoint(ctx, e.ID, store.EndpointSettings{RateLimit: &neg})
				return err
			}, store.ErrInvalidArgument},
			{"sample unknown", func() error { return s.SaveEndpointSample(ctx, "ep_x", nil) }, store.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.fn(); !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
			})
		}
		if err := s.DeleteEndpoint(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteEndpoint(ctx, e.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestCredentials(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		c, err := s.CreateCredential(ctx, store.Credential{Name: "stripe-live", Connector: "stripe",
			Ciphertext: []byte{0, 1, 2, 0xff}, KeyID: "k1", Hint: []byte(`{"api_key":"sk_live_…4242"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCredential(ctx, store.Credential{Name: "stripe-live", Connector: "stripe", Ciphertext: []byte{1}}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate name: %v, want ErrConflict", err)
		}
		got, err := s.GetCredentialByName(ctx, "stripe-live")
		if err != nil || string(got.Ciphertext) != string([]byte{0, 1, 2, 0xff}) || got.KeyID != "k1" {
			t.Fatalf("GetCredentialByName = %+v, %v", got, err)
		}
		list, _, err := s.ListCredentials(ctx, store.ListOptions{})
		if err != nil || len(list) != 1 || list[0].Ciphertext != nil || string(list[0].Hint) == "" {
			t.Fatalf("ListCredentials = %+v, %v", list, err)
		}
		// Rotation: compare-and-set on the key id.
		cts, err := s.ListCredentialCiphertexts(ctx)
		if err != nil || len(cts) != 1 || cts[0].KeyID != "k1" {
			t.Fatalf("ListCredentialCiphertexts = %+v, %v", cts, err)
		}
		if err := s.UpdateCredentialCiphertext(ctx, c.ID, "k1", []byte{9, 9}, "k2"); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateCredentialCiphertext(ctx, c.ID, "k1", []byte{8}, "k3"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale rotation: %v, want ErrConflict", err)
		}
		if err := s.UpdateCredentialCiphertext(ctx, "cred_x", "k1", []byte{8}, "k3"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("rotation of unknown: %v, want ErrNotFound", err)
		}
		up, err := s.UpdateCredential(ctx, c.ID, store.CredentialUpdate{Name: "stripe-prod"})
		if err != nil || up.Name != "stripe-prod" || up.KeyID != "k2" {
			t.Fatalf("UpdateCredential = %+v, %v", up, err)
		}
		if _, err := s.UpdateCredential(ctx, c.ID, store.CredentialUpdate{Hint: []byte("{nope")}); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("bad hint: %v", err)
		}
		if err := s.DeleteCredential(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetCredential(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestBlobs(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		big := []byte(strings.Repeat("x", 1<<20))
		tests := []struct {
			name string
			data []byte
		}{
			{"binary", []byte{0, 1, 2, 0, 0xfe}},
			{"large", big},
			{"empty", []byte{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.PutBlob(ctx, "blob-"+tt.name, tt.data); err != nil {
					t.Fatal(err)
				}
				got, err := s.GetBlob(ctx, "blob-"+tt.name)
				if err != nil || string(got) != string(tt.data) {
					t.Fatalf("GetBlob: %d bytes, %v", len(got), err)
				}
			})
		}
		if err := s.PutBlob(ctx, "blob-binary", []byte("new")); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetBlob(ctx, "blob-binary"); string(got) != "new" {
			t.Fatalf("overwrite: %q", got)
		}
		if _, err := s.GetBlob(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetBlob(missing): %v", err)
		}
	})
}
