package service

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// throttle lets through one log line per interval and counts the ones it
// held back, so that a dependency failing under load (every request
// bypassing a dead cache) is reported steadily instead of once per request.
type throttle struct {
	interval time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// warn logs msg at the warning level, throttled (Log).
func (t *throttle) warn(log *slog.Logger, now time.Time, msg string, args ...any) {
	t.Log(log, slog.LevelWarn, now, msg, args...)
}

// Log logs msg at level unless another line went out less than the
// interval ago; the line that goes out says how many were held back since
// the previous one.
func (t *throttle) Log(log *slog.Logger, level slog.Level, now time.Time, msg string, args ...any) {
	t.mu.Lock()
	if !t.last.IsZero() && now.Sub(t.last) < t.interval {
		t.suppressed++
		t.mu.Unlock()
		return
	}
	n := t.suppressed
	t.last, t.suppressed = now, 0
	t.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Log(context.Background(), level, msg, args...)
}

// LogThrottle is the throttle for other packages' failure logs (the
// server's failed requests and readiness checks), so that every failure
// of a dependency is reported alike.
type LogThrottle = throttle

// NewLogThrottle returns a throttle letting one line through per interval.
func NewLogThrottle(interval time.Duration) *LogThrottle { return &throttle{interval: interval} }
