package httpserver

import (
	"bytes"
	"net/netip"
	"strconv"
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

	mu        sync.Mutex
	keys      map[limitKey]limitEntry
	nextSweep time.Time // when makeRoom next drops the keys that carry nothing
	sweepLeft int       // keys the sweep under way has still to look at
}

// limitKey is a key of a limiter: a client (limitedClient), or a digest
// naming a client and a document (pollKey). Its size is fixed, whatever
// it names, so that a request makes its key without allocating, a new
// key is stored without a copy, and the table holds no pointers to its
// keys for the garbage collector to follow.
type limitKey [16]byte

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
	return &limiter{interval: interval, tolerance: interval * time.Duration(burst-1), maxKeys: maxKeys, keys: map[limitKey]limitEntry{}}
}

// allow reports whether a request from key at now is within the limit;
// when it is not, wait is how long until one would be.
func (l *limiter) allow(key limitKey, now time.Time) (ok bool, wait time.Duration) {
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

// store keeps e under key, making room first when the key is new.
func (l *limiter) store(key limitKey, known bool, e limitEntry, now time.Time) {
	if !known {
		l.makeRoom(now)
	}
	l.keys[key] = e
}

// allowHolding is allow for a conditional request, which spends nothing
// here: it passes while key has allowance left, and also past it when
// cond holds the validators of key's last counted answer (record), since
// the client then costs a 304 unless the feed changed. Validators it was
// never sent (a made-up If-None-Match, a date before its last answer)
// make it an unconditional fetch, refused like one.
func (l *limiter) allowHolding(key limitKey, now time.Time, cond *herald.Condition) (ok bool, wait time.Duration) {
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
// allowance unless allow already did (spent). etag may be borrowed: it is
// copied when it is not the tag the key holds already (a client polling
// a feed that has not changed is sent the same tag every time).
func (l *limiter) record(key limitKey, now time.Time, spent bool, etag []byte, lastModified time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, known := l.keys[key]
	if !spent || !known {
		if e.tat.Before(now) {
			e.tat = now
		}
		e.tat = e.tat.Add(l.interval)
	}
	if e.etag != string(etag) {
		e.etag = string(etag)
	}
	e.lastModified = lastModified
	l.store(key, known, e, now)
}

// refund gives back the allowance allow took for key at now, for a
// request that turned out not to count. A key whose allowance is then
// whole again goes: a 404 or a 400 leaves nothing in the table.
func (l *limiter) refund(key limitKey, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.keys[key]; ok {
		e.tat = e.tat.Add(-l.interval)
		if !e.tat.After(now) {
			delete(l.keys, key)
			return
		}
		l.keys[key] = e
	}
}

// evictSample is how many keys a full table looks at to choose the one
// that makes room.
const evictSample = 8

// sweepBatch bounds the keys one call of makeRoom looks at when it sweeps.
const sweepBatch = 1024

// makeRoom keeps the table bounded. Keys whose allowance is whole again
// carry no information: once a sweep period (sweepEvery) they all go, so
// the table holds what recent requests left rather than everything until
// it is full. If a flood of distinct keys fills it all the same, each new
// key takes the place of one other: of a few looked at, the one whose
// allowance is whole soonest. That client may come back a little early;
// every other keeps its state (starting over let them all in at once).
//
// A sweep looks at no more than sweepBatch keys a call, under the lock
// every request of the limit takes: a large table is swept over the
// following calls, each from a random place, until as many keys as the
// table held when the sweep began have been looked at (some twice and
// others not at all, which the eviction below makes up for).
func (l *limiter) makeRoom(now time.Time) {
	if !now.Before(l.nextSweep) {
		if l.sweepLeft <= 0 {
			l.sweepLeft = len(l.keys)
		}
		seen := 0
		for k, e := range l.keys {
			if seen == min(sweepBatch, l.sweepLeft) {
				break
			}
			if !e.tat.After(now) {
				delete(l.keys, k)
			}
			seen++
		}
		if l.sweepLeft -= seen; l.sweepLeft <= 0 || seen == 0 {
			l.sweepLeft = 0
			l.nextSweep = now.Add(l.sweepEvery())
		}
	}
	if len(l.keys) < l.maxKeys {
		return
	}
	var (
		victim  limitKey
		soonest time.Time
		seen    int
	)
	// A map is ranged from a random place: these are a few keys at random.
	for k, e := range l.keys {
		if seen == 0 || e.tat.Before(soonest) {
			victim, soonest = k, e.tat
		}
		if seen++; seen == evictSample {
			break
		}
	}
	delete(l.keys, victim)
}

// sweepEvery is how often makeRoom sweeps: the time a key takes to carry
// nothing once its allowance is spent, and at least a second, so that a
// fast API limit does not walk the table at every request.
func (l *limiter) sweepEvery() time.Duration {
	return max(l.interval+l.tolerance, time.Second)
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
	ok, wait := s.apiLimiter.allow(s.limitedClient(c), s.now())
	if !ok {
		c.Set(fiber.HeaderRetryAfter, retryAfter(wait))
		return herald.Errorf(herald.ERateLimited, "too many requests to the write API from this client; retry in %s seconds", retryAfter(wait))
	}
	return c.Next()
}

// limitedClient is the client as the rate limits count it: its IPv4
// address, or the /64 its IPv6 address is in. A subscriber is usually
// given a whole /64 and may send from any address in it, so counting
// addresses would let one client count as many.
func (s *Server) limitedClient(c *fiber.Ctx) limitKey {
	return limitedAddr(s.clientAddr(c))
}

// limitedAddr is the key of the client at a (limitedClient): the 16
// bytes of an IPv4 address mapped into IPv6, or of the first address of
// an IPv6 address's /64 (any zone dropped). An IPv4 address written as
// IPv6 is the IPv4 client, and a /64's first address ends in eight zero
// bytes, where a mapped address has 0xffff, so the two never meet. A
// client without a valid address (a peer fasthttp gave no IP) is all
// ones, which neither form can be: all such clients are one, as they
// were when keys were the address written out ("invalid IP").
func limitedAddr(a netip.Addr) limitKey {
	switch a = a.Unmap(); {
	case a.Is4():
		return a.As16()
	case a.Is6():
		p, _ := a.Prefix(64)
		return p.Addr().As16()
	}
	return noAddrKey
}

// noAddrKey is limitedAddr's key of a client without an address.
var noAddrKey = limitKey(bytes.Repeat([]byte{0xff}, len(limitKey{})))
