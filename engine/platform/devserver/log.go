package devserver

import (
	"context"
	"log/slog"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// logger adapts slog to Temporal's logger. Temporal calls Fatal (which exits
// the process in its own logger) for conditions such as a busy port; inside
// hookflow that would kill the API and worker too, so Fatal, Panic and DPanic
// are logged as errors and the failure surfaces through Start's error.
type logger struct {
	log   *slog.Logger
	level *slog.LevelVar // shared by loggers made with With
	tags  []tag.Tag
}

var (
	_ log.Logger     = (*logger)(nil)
	_ log.WithLogger = (*logger)(nil)
)

func newLogger(l *slog.Logger, level slog.Level) *logger {
	lv := new(slog.LevelVar)
	lv.Set(level)
	return &logger{log: l.With("component", "temporal"), level: lv}
}

func (l *logger) Debug(msg string, tags ...tag.Tag)  { l.emit(slog.LevelDebug, msg, tags) }
func (l *logger) Info(msg string, tags ...tag.Tag)   { l.emit(slog.LevelInfo, msg, tags) }
func (l *logger) Warn(msg string, tags ...tag.Tag)   { l.emit(slog.LevelWarn, msg, tags) }
func (l *logger) Error(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }
func (l *logger) DPanic(msg string, tags ...tag.Tag) { l.emit(slog.LevelError, msg, tags) }
func (l *logger) Panic(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }
func (l *logger) Fatal(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }

// With returns a logger that prepends tags to every record.
func (l *logger) With(tags ...tag.Tag) log.Logger {
	merged := make([]tag.Tag, 0, len(l.tags)+len(tags))
	merged = append(merged, l.tags...)
	merged = append(merged, tags...)
	return &logger{log: l.log, level: l.level, tags: merged}
}

func (l *logger) emit(level slog.Level, msg string, tags []tag.Tag) {
	if level < l.level.Level() || !l.log.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(l.tags)+len(tags))
	for _, t := range l.tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	l.log.LogAttrs(context.Background(), level, msg, attrs...)
}
