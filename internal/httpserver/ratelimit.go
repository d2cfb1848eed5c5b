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

	mu   sync.Mutex
	keys map[string]limitEntry
}

// limitEntry is what a limiter keeps of one key.
type limitEntry struct {
	tat time.Time // when the key's allowance is whole again, plus tolerance
	// The validators of the last answer counted for the key (polite
	// polling: the feed the client was last sent), so that a conditional
	// request can be told from one carrying made-up validators.
	etag         string // the identity tag (with no coding suffix)
	lastModified time.Time
}

// newLimiter allows burst requests at once per key, then one per interval.
func newLimiter(interval time.Duration, burst, maxKeys int) *limiter {
	if burst < 1 {
		burst = 1
	}
	return &limiter{interval: interval, tolerance: interval * time.Duration(burst-1), maxKeys: maxKeys, keys: map[string]limitEntry{}}
}

// allow reports whether a request from key at now is within the limit;
// when it is not, wait is how long until one would be.
func (l *limiter) allow(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, known := l.keys[key]
	if !known || e.tat.Before(now) {
		e.tat = now
	}
	if ahead := e.tat.Sub(now); ahead > l.tolerance {
		return false, ahead - l.tolerance
	}
	e.tat = e.tat.Add(l.interval)
	l.store(key, known, e, now)
	return true, 0
}

// store keeps e under key, making room first and copying the key when it
// is new: keys may be backed by fasthttp's buffers.
func (l *limiter) store(key string, known bool, e limitEntry, now time.Time) {
	if !known {
		l.makeRoom(now)
		key = strings.Clone(key)
	}
	l.keys[key] = e
}

// allowHolding is allow for a conditional request, which spends nothing
// here: it passes while key has allowance left, and also past it when
// cond holds the validators of key's last counted answer (record), since
// the client then costs a 304 unless the feed changed. Validators it was
// never sent (a made-up If-None-Match, a date before its last answer)
// make it an unconditional fetch, refused like one.
func (l *limiter) allowHolding(key string, now time.Time, cond *herald.Condition) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, known := l.keys[key]
	if !known {
		return true, 0
	}
	ahead := e.tat.Sub(now)
	if ahead <= l.tolerance || cond.NotModified(e.etag, e.lastModified, now) {
		return true, 0
	}
	return false, ahead - l.tolerance
}

// record keeps the validators of an answer to key, and spends its
// allowance unless allow already did (spent).
func (l *limiter) record(key string, now time.Time, spent bool, etag string, lastModified time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, known := l.keys[key]
	if !spent || !known {
		if e.tat.Before(now) {
			e.tat = now
		}
		e.tat = e.tat.Add(l.interval)
	}
	e.etag, e.lastModified = strings.Clone(etag), lastModified
	l.store(key, known, e, now)
}

// refund gives back the allowance allow took for key, for a request that
// turned out not to count.
func (l *limiter) refund(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.keys[key]; ok {
		e.tat = e.tat.Add(-l.interval)
		l.keys[key] = e
	}
}

// makeRoom keeps the table bounded: keys whose allowance is whole again
// carry no information and go first; if a flood of distinct clients still
// fills it, it starts over, which errs on the side of letting requests in.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.keys) < l.maxKeys {
		return
	}
	for k, e := range l.keys {
		if !e.tat.After(now) {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= l.maxKeys {
		clear(l.keys)
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
