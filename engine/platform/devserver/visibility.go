package devserver

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"go.temporal.io/server/chasm"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/namespace"
	"go.temporal.io/server/common/persistence/serialization"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/persistence/visibility/manager"
	"go.temporal.io/server/common/persistence/visibility/store"
	sqlvisibility "go.temporal.io/server/common/persistence/visibility/store/sql"
	"go.temporal.io/server/common/resolver"
	"go.temporal.io/server/common/searchattribute"
)

// The embedded server's visibility store is Temporal's own SQL visibility
// store on SQLite, with its four write methods replaced by prepared
// statements on a connection of their own.
//
// Why: Temporal's SQLite plugin runs every statement unprepared, and the
// modernc driver compiles a statement's text on every call. The
// visibility upsert names every column of a table with ~60 generated
// columns, and compiling it was 7% of `hookflow dev`'s CPU under load
// (two visibility writes per run). Reads (workflow listings, counts,
// schedules) still go through Temporal's store and its query converter,
// on the plugin's connection; in WAL mode they run beside the writes.

// visibilityStoreName names the custom visibility data store in the
// server config.
const visibilityStoreName = "hookflow-sqlite-visibility"

// keywordListSeparator joins a KeywordList search attribute into one
// string, as Temporal's SQLite plugin stores it.
const keywordListSeparator = "♡"

// minVisibilityTime is what Temporal's SQLite plugin stores for a zero time.
var minVisibilityTime = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)

// visibilityColumns are the columns the writes set, in the order of
// sqlplugin.VisibilityRow (sqlplugin.DbFields); _version must stay last.
// A test compares them with sqlplugin.DbFields, so a Temporal upgrade that
// adds a column fails there instead of writing rows without it.
var visibilityColumns = []string{
	"namespace_id", "run_id", "workflow_type_name", "workflow_id", "start_time", "execution_time", "status",
	"close_time", "history_length", "history_size_bytes", "execution_duration", "state_transition_count",
	"memo", "encoding", "task_queue", "search_attributes", "parent_workflow_id", "parent_run_id",
	"root_workflow_id", "root_run_id", "_version",
}

// The write statements, with the same conflict rules as Temporal's SQLite
// plugin: a start never overwrites a row, a close or upsert replaces an
// older version of the row only.
var (
	visibilityInsertSQL = fmt.Sprintf(`INSERT INTO executions_visibility (%s) VALUES (%s)
		ON CONFLICT (namespace_id, run_id) DO NOTHING`,
		strings.Join(visibilityColumns, ", "), placeholders(len(visibilityColumns)))
	visibilityUpsertSQL = fmt.Sprintf(`INSERT INTO executions_visibility (%s) VALUES (%s)
		ON CONFLICT (namespace_id, run_id) DO UPDATE SET %s
		WHERE executions_visibility._version < excluded._version`,
		strings.Join(visibilityColumns, ", "), placeholders(len(visibilityColumns)), updateAll(visibilityColumns))
	visibilityDeleteSQL = `DELETE FROM executions_visibility WHERE namespace_id = ? AND run_id = ?`
)

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func updateAll(cols []string) string {
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = excluded." + c
	}
	return strings.Join(set, ", ")
}

// visibilityFactory builds the visibility store for temporal.NewServer.
type visibilityFactory struct {
	sql config.SQL // the SQLite visibility database
}

// NewVisibilityStore implements visibility.VisibilityStoreFactory.
func (f *visibilityFactory) NewVisibilityStore(
	_ config.CustomDatastoreConfig,
	saProvider searchattribute.Provider,
	saMapperProvider searchattribute.MapperProvider,
	_ namespace.Registry,
	chasmRegistry *chasm.Registry,
	r resolver.ServiceResolver,
	logger log.Logger,
	metricsHandler metrics.Handler,
) (store.VisibilityStore, error) {
	unified := dynamicconfig.VisibilityEnableUnifiedQueryConverter.Get(dynamicconfig.NewNoopCollection())
	base, err := sqlvisibility.NewSQLVisibilityStore(f.sql, r, saProvider, saMapperProvider, chasmRegistry, unified,
		logger, metricsHandler, serialization.NewSerializer())
	if err != nil {
		return nil, err
	}
	vs, err := openVisibilityWriter(f.sql)
	if err != nil {
		base.Close()
		return nil, err
	}
	vs.VisibilityStore, vs.saProvider = base, saProvider
	return vs, nil
}

// visibilityStore is Temporal's SQL visibility store with prepared writes.
type visibilityStore struct {
	store.VisibilityStore
	saProvider searchattribute.Provider
	db         *sqlx.DB
	insert     *sqlx.Stmt
	upsert     *sqlx.Stmt
	delete     *sqlx.Stmt
}

// openVisibilityWriter opens the write connection on the visibility file
// with the DSN Temporal's plugin builds for the same config, so both
// connections store times the same way (_time_format=sqlite), and
// prepares the write statements.
func openVisibilityWriter(cfg config.SQL) (*visibilityStore, error) {
	db, err := sqlx.Open("sqlite", visibilityDSN(cfg))
	if err != nil {
		return nil, fmt.Errorf("opening the visibility database for writes: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	vs := &visibilityStore{db: db}
	for _, p := range []struct {
		dst   **sqlx.Stmt
		query string
	}{{&vs.insert, visibilityInsertSQL}, {&vs.upsert, visibilityUpsertSQL}, {&vs.delete, visibilityDeleteSQL}} {
		if *p.dst, err = db.Preparex(p.query); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("preparing visibility writes: %w", err)
		}
	}
	return vs, nil
}

// visibilityDSN is the DSN Temporal's SQLite plugin builds from cfg: SQLite
// URI parameters as they are, every other attribute as a pragma, and
// SQLite's own time format.
func visibilityDSN(cfg config.SQL) string {
	keys := make([]string, 0, len(cfg.ConnectAttributes))
	for k := range cfg.ConnectAttributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	v := url.Values{}
	for _, k := range keys {
		key, value := strings.TrimSpace(k), strings.TrimSpace(cfg.ConnectAttributes[k])
		switch key {
		case "cache", "immutable", "mode", "modeof", "nolock", "psow", "setup", "vfs":
			v.Set(key, value)
		default:
			v.Add("_pragma", key+"="+value)
		}
	}
	v.Add("_time_format", "sqlite")
	return "file:" + cfg.DatabaseName + "?" + v.Encode()
}

// Close implements store.VisibilityStore.
func (s *visibilityStore) Close() {
	s.VisibilityStore.Close()
	_ = s.db.Close()
}

// RecordWorkflowExecutionStarted implements store.VisibilityStore.
func (s *visibilityStore) RecordWorkflowExecutionStarted(ctx context.Context, req *store.InternalRecordWorkflowExecutionStartedRequest) error {
	return s.write(ctx, s.insert, req.InternalVisibilityRequestBase, nil)
}

// RecordWorkflowExecutionClosed implements store.VisibilityStore.
func (s *visibilityStore) RecordWorkflowExecutionClosed(ctx context.Context, req *store.InternalRecordWorkflowExecutionClosedRequest) error {
	return s.write(ctx, s.upsert, req.InternalVisibilityRequestBase, req)
}

// UpsertWorkflowExecution implements store.VisibilityStore.
func (s *visibilityStore) UpsertWorkflowExecution(ctx context.Context, req *store.InternalUpsertWorkflowExecutionRequest) error {
	return s.write(ctx, s.upsert, req.InternalVisibilityRequestBase, nil)
}

// write runs st (insert or upsert) with the row of req; closed is nil
// unless the run has closed.
func (s *visibilityStore) write(ctx context.Context, st *sqlx.Stmt, req *store.InternalVisibilityRequestBase,
	closed *store.InternalRecordWorkflowExecutionClosedRequest) error {
	args, err := s.rowArgs(req, closed)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("writing visibility record of run %s: %w", req.RunID, err)
	}
	return nil
}

// DeleteWorkflowExecution implements store.VisibilityStore.
func (s *visibilityStore) DeleteWorkflowExecution(ctx context.Context, req *manager.VisibilityDeleteWorkflowExecutionRequest) error {
	_, err := s.delete.ExecContext(ctx, req.NamespaceID.String(), req.RunID)
	if err != nil {
		return fmt.Errorf("deleting visibility record of run %s: %w", req.RunID, err)
	}
	return nil
}

// rowArgs converts a visibility request into the arguments of the write
// statements (visibilityColumns), as Temporal's SQL store and SQLite
// plugin do; closed is nil for a start or an upsert.
func (s *visibilityStore) rowArgs(req *store.InternalVisibilityRequestBase, closed *store.InternalRecordWorkflowExecutionClosedRequest) ([]any, error) {
	sa, err := s.searchAttributes(req)
	if err != nil {
		return nil, err
	}
	var closeTime, historyLength, historySize, duration, transitions any
	if closed != nil {
		closeTime = sqliteTime(closed.CloseTime)
		historyLength, historySize = closed.HistoryLength, closed.HistorySizeBytes
		duration, transitions = closed.ExecutionDuration.Nanoseconds(), closed.StateTransitionCount
	}
	var parentWorkflowID, parentRunID any
	if req.ParentWorkflowID != nil {
		parentWorkflowID = *req.ParentWorkflowID
	}
	if req.ParentRunID != nil {
		parentRunID = *req.ParentRunID
	}
	return []any{
		req.NamespaceID, req.RunID, req.WorkflowTypeName, req.WorkflowID, sqliteTime(req.StartTime), sqliteTime(req.ExecutionTime),
		int32(req.Status), closeTime, historyLength, historySize, duration, transitions,
		req.Memo.GetData(), req.Memo.GetEncodingType().String(), req.TaskQueue, sa, parentWorkflowID, parentRunID,
		req.RootWorkflowID, req.RootRunID, req.TaskID,
	}, nil
}

// searchAttributes returns the search_attributes column: the request's
// attributes decoded with their registered types, keyword lists joined
// and times in RFC 3339, as JSON; nil when there are none.
func (s *visibilityStore) searchAttributes(req *store.InternalVisibilityRequestBase) (any, error) {
	if req.SearchAttributes == nil {
		return nil, nil
	}
	types, err := s.saProvider.GetSearchAttributes(s.GetIndexName(), false)
	if err != nil {
		return nil, fmt.Errorf("reading search attribute types: %w", err)
	}
	decoded, err := searchattribute.Decode(req.SearchAttributes, &types, false)
	if err != nil {
		return nil, err
	}
	// Like the plugin: attributes present but empty are stored as {}.
	out := sqlplugin.VisibilitySearchAttributes{}
	for name, value := range decoded {
		switch v := value.(type) {
		case nil:
		case []string:
			out[name] = strings.Join(v, keywordListSeparator)
		case time.Time:
			out[name] = v.Format(time.RFC3339Nano)
		default:
			out[name] = v
		}
	}
	return out.Value()
}

// sqliteTime is the plugin's conversion of a time for SQLite.
func sqliteTime(t time.Time) time.Time {
	if t.IsZero() {
		return minVisibilityTime
	}
	return t.UTC().Truncate(time.Microsecond)
}

var _ store.VisibilityStore = (*visibilityStore)(nil)
