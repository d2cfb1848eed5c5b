// Package cache keeps rendered feeds so that most requests skip the store
// and the renderer. It has two implementations of herald.Cache: Memory, for
// a single process, and Redis, shared by every replica.
//
// Both invalidate by revision. Every scope has an opaque random token; an
// entry remembers the token it was rendered under and is served only while
// that token is still the scope's current one. Invalidate swaps tokens, so
// stale entries stop matching at once and simply age out. Tokens are random
// rather than counters so that losing one (a Redis eviction or expiry, a
// restart) can never make an old entry match again: a lost token is replaced
// by a fresh one that no stored entry carries.
//
// This package is the only one that imports go-redis.
package cache
