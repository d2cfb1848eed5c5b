package service

import (
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

// warn logs msg unless another line went out less than interval ago; the
// line that goes out says how many were held back since the previous one.
func (t *throttle) warn(log *slog.Logger, now time.Time, msg string, args ...any) {
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
	log.Warn(msg, args...)
}
