package httpserver

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// limiter is a rate limiter per key using the generic cell rate
// algorithm: each key keeps one time, the moment its allowance is fully
// spent (its theoretical arrival time), which makes a bucket of burst
// requests refilled at one per interval without a timer or a counter.
type limiter struct {
	interval  time.Duration // one request's worth of allowance
	tolerance time.Duration // how far ahead of now the allowance may be spent: interval*(burst-1)
	maxKeys   int

	mu  sync.Mutex
	tat map[string]time.Time
}

// newLimiter allows burst requests at once per key, then one per interval.
func newLimiter(interval time.Duration, burst, maxKeys int) *limiter {
	if burst < 1 {
		burst = 1
	}
	return &limiter{interval: interval, tolerance: interval * time.Duration(burst-1), maxKeys: maxKeys, tat: map[string]time.Time{}}
}

// allow reports whether a request from key at now is within the limit;
// when it is not, wait is how long until one would be.
func (l *limiter) allow(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tat, known := l.tat[key]
	if !known || tat.Before(now) {
		tat = now
	}
	if ahead := tat.Sub(now); ahead > l.tolerance {
		return false, ahead - l.tolerance
	}
	if !known {
		l.makeRoom(now)
		key = strings.Clone(key) // keys may be backed by fasthttp's buffers
	}
	l.tat[key] = tat.Add(l.interval)
	return true, 0
}

// refund gives back the allowance allow took for key, for a request that
// turned out not to count.
func (l *limiter) refund(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tat, ok := l.tat[key]; ok {
		l.tat[key] = tat.Add(-l.interval)
	}
}

// makeRoom keeps the table bounded: keys whose allowance is whole again
// carry no information and go first; if a flood of distinct clients still
// fills it, it starts over, which errs on the side of letting requests in.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.tat) < l.maxKeys {
		return
	}
	for k, t := range l.tat {
		if !t.After(now) {
			delete(l.tat, k)
		}
	}
	if len(l.tat) >= l.maxKeys {
		clear(l.tat)
	}
}

// retryAfter is a wait in the whole seconds Retry-After takes, rounded up.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(int((wait + time.Second - 1) / time.Second))
}

// limitAPI applies the write API's per-client rate limit. It runs before
// authentication, so that guessing tokens is limited too.
func (s *Server) limitAPI(c *fiber.Ctx) error {
	if s.apiLimiter == nil {
		return c.Next()
	}
	ok, wait := s.apiLimiter.allow(s.client(c), s.now())
	if !ok {
		c.Set(fiber.HeaderRetryAfter, retryAfter(wait))
		return herald.Errorf(herald.ERateLimited, "too many requests to the write API from this client; retry in %s seconds", retryAfter(wait))
	}
	return c.Next()
}
