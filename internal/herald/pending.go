package herald

import (
	"sync"
	"sync/atomic"
)

// PendingScopes is a set of scopes whose invalidation has not reached the
// cache yet, kept by whoever must deliver it later (a circuit breaker while
// Redis is away, the write path's background retries). Each scope carries
// the sequence number of the addition that last touched it, so that an
// invalidation settles only what was pending when it was sent: a scope
// added again meanwhile stays. Safe for concurrent use; the zero value is
// an empty set.
type PendingScopes struct {
	mu  sync.Mutex
	m   map[Scope]uint64
	seq uint64
	n   atomic.Int64 // len(m), read without the lock
}

// Add records scopes and returns how many it left out because max scopes
// were pending already (max 0: no bound).
func (p *PendingScopes) Add(scopes []Scope, max int) (dropped int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[Scope]uint64)
	}
	p.seq++
	for _, s := range scopes {
		if _, ok := p.m[s]; !ok && max > 0 && len(p.m) >= max {
			dropped++
			continue
		}
		p.m[s] = p.seq
	}
	p.n.Store(int64(len(p.m)))
	return dropped
}

// Mark is taken before an invalidation is sent, for Settle.
func (p *PendingScopes) Mark() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seq
}

// Snapshot returns the pending scopes and the mark they are current at.
func (p *PendingScopes) Snapshot() ([]Scope, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Scope, 0, len(p.m))
	for s := range p.m {
		out = append(out, s)
	}
	return out, p.seq
}

// Settle drops the scopes that an invalidation sent after mark was taken
// has covered, unless they were added again since.
func (p *PendingScopes) Settle(scopes []Scope, mark uint64) {
	if p.n.Load() == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range scopes {
		if seq, ok := p.m[s]; ok && seq <= mark {
			delete(p.m, s)
		}
	}
	p.n.Store(int64(len(p.m)))
}

// Len is the number of pending scopes, read without the lock.
func (p *PendingScopes) Len() int { return int(p.n.Load()) }
