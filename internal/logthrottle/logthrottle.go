// Package logthrottle reports a failure that repeats, such as a dependency
// failing under load (every request bypassing a dead cache, every
// notification to a hub that is down), with one log line per interval
// instead of one per event. Every package's failure logs use it, so that
// they read alike: the line that goes out says how many like it were held
// back since the one before.
package logthrottle

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Throttle lets one line through per Interval and counts the ones it held
// back. The zero value lets every line through; set Interval before use.
type Throttle struct {
	Interval time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// New returns a throttle letting one line through per interval.
func New(interval time.Duration) *Throttle { return &Throttle{Interval: interval} }

// Warn logs msg at the warning level, throttled (Log).
func (t *Throttle) Warn(log *slog.Logger, now time.Time, msg string, args ...any) {
	t.Log(log, slog.LevelWarn, now, msg, args...)
}

// Log logs msg at level unless another line went out less than the
// interval ago; the line that goes out says how many were held back since
// the previous one ("suppressed").
func (t *Throttle) Log(log *slog.Logger, level slog.Level, now time.Time, msg string, args ...any) {
	t.mu.Lock()
	if !t.last.IsZero() && now.Sub(t.last) < t.Interval {
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

// Flush logs msg at level with the count of the lines held back since the
// last one went out, if any: a process that stops says what it would
// otherwise never report.
func (t *Throttle) Flush(log *slog.Logger, level slog.Level, msg string) {
	t.mu.Lock()
	n := t.suppressed
	t.suppressed = 0
	t.mu.Unlock()
	if n > 0 {
		log.Log(context.Background(), level, msg, "suppressed", n)
	}
}
