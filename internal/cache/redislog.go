package cache

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// RouteClientLogs sends go-redis's own log lines — it prints every failed
// dial to stderr, unstructured, many times a second while Redis is down —
// to log at debug level. Herald already reports cache failures itself,
// throttled and structured, so these lines only help when debugging.
//
// go-redis keeps its logger in a package variable, so this affects the
// whole process: call it once, from the command that opens Redis.
func RouteClientLogs(log *slog.Logger) {
	redis.SetLogger(clientLog{log: log})
}

// clientLog adapts slog to go-redis's logging interface.
type clientLog struct{ log *slog.Logger }

// Printf implements go-redis's internal.Logging.
func (l clientLog) Printf(ctx context.Context, format string, v ...any) {
	if !l.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	l.log.DebugContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}
