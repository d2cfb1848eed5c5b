package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
)

// invalidation is the message a write publishes on the invalidation
// channel: the scopes it touched and their new revision tokens, and which
// Tiered cache sent it (so that the sender, which applied it before its
// write returned, skips its own echo). Reset, with no scopes, says every
// revision in Redis was dropped (see Redis.checkGeneration): every local
// tier drops all it holds.
type invalidation struct {
	Origin string          `json:"origin,omitempty"`
	Scopes []scopeRevision `json:"scopes"`
	Reset  bool            `json:"reset,omitempty"`
}

type scopeRevision struct {
	Scope string `json:"scope"` // herald.Scope.Key()
	Rev   string `json:"rev"`
}

// channel is the Pub/Sub channel of invalidations; the prefix keeps sites
// sharing one Redis apart.
func (r *Redis) channel() string { return r.prefix + ":invalidations" }

// sentNote rides in the context of an invalidation a Tiered cache sends
// through its Front (the circuit breaker, the metrics), which know only
// herald.Cache's Invalidate: the Redis at the end of that chain publishes
// under the Tiered cache's origin, so that it skips its own echo, and
// writes down the tokens it set, which the Tiered cache then applies to
// its local tier before its Invalidate returns. What was sent may be more
// scopes than were asked for (the breaker delivers what it still owes
// along), and nothing at all when the breaker is open.
type sentNote struct {
	origin string

	mu     sync.Mutex
	scopes []herald.Scope
	tokens []string
}

type sentNoteKey struct{}

func withSentNote(ctx context.Context, n *sentNote) context.Context {
	return context.WithValue(ctx, sentNoteKey{}, n)
}

// sentNoteOf returns the note ctx carries, or nil.
func sentNoteOf(ctx context.Context) *sentNote {
	n, _ := ctx.Value(sentNoteKey{}).(*sentNote)
	return n
}

// sent records scopes whose revisions Redis now holds as tokens.
func (n *sentNote) sent(scopes []herald.Scope, tokens []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.scopes = append(n.scopes, scopes...)
	n.tokens = append(n.tokens, tokens...)
}

// taken returns what was sent.
func (n *sentNote) taken() ([]herald.Scope, []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.scopes, n.tokens
}

// invalidate gives each scope a fresh token and publishes them, in one
// pipeline, and returns the tokens. With WaitReplicas the pipeline waits
// for the replicas before it publishes; when too few acknowledged, the
// tokens come back with an error wrapping herald.ErrUnreplicated.
func (r *Redis) invalidate(ctx context.Context, scopes []herald.Scope, origin string) ([]string, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	msg := invalidation{Origin: origin, Scopes: make([]scopeRevision, len(scopes))}
	tokens := make([]string, len(scopes))
	for i, s := range scopes {
		tokens[i] = newRevision()
		msg.Scopes[i] = scopeRevision{Scope: s.Key(), Rev: tokens[i]}
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("redis cache: invalidate: %w", err)
	}
	// While the replicas are short (the last wait fell short), only a
	// repeat waits: a replica down for good would otherwise hold every
	// write back by redis.wait_timeout.
	wait := r.waitN > 0 && (!r.replicasShort.Load() || herald.IsRepeating(ctx))
	timeout := r.timeout
	if wait {
		timeout += r.waitTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if cc, ok := r.client.(*redis.ClusterClient); ok && wait {
		err := r.invalidateCluster(ctx, cc, scopes, tokens, payload)
		if err != nil && !errors.Is(err, herald.ErrUnreplicated) {
			return nil, err
		}
		return tokens, err
	}
	var acks *redis.Cmd
	var gen *redis.IntCmd
	_, err = r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, s := range scopes {
			p.Set(ctx, r.revisionKey(s), tokens[i], r.revisionTTL)
		}
		gen = p.Incr(ctx, r.genKey())
		if wait {
			// On the connection of the SETs: WAIT counts what this
			// connection wrote.
			acks = p.Do(ctx, "WAIT", r.waitN, r.waitTimeout.Milliseconds())
		}
		p.Publish(ctx, r.channel(), payload)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redis cache: invalidate: %w", err)
	}
	r.incremented(gen.Val())
	switch {
	case acks != nil:
		if n, err := acks.Int64(); err != nil || n < int64(r.waitN) {
			return tokens, r.unreplicated(n)
		}
		r.replicasShort.Store(false)
	case r.waitN > 0: // not waited for
		return tokens, fmt.Errorf("redis cache: invalidate: not waiting for %d replicas, which fell short at the last wait: %w",
			r.waitN, herald.ErrUnreplicated)
	}
	return tokens, nil
}

// invalidateCluster is invalidate on a Redis Cluster with WaitReplicas: the
// SETs go to each master of the scopes' slots in a pipeline of their own
// that ends with WAIT (a WAIT only counts its own connection's writes),
// the masters in parallel, and the message is published once all answered.
func (r *Redis) invalidateCluster(ctx context.Context, cc *redis.ClusterClient, scopes []herald.Scope, tokens []string, payload []byte) error {
	type batch struct {
		node *redis.Client
		idx  []int
	}
	byNode := map[string]*batch{}
	for i, s := range scopes {
		node, err := cc.MasterForKey(ctx, r.revisionKey(s))
		if err != nil {
			return fmt.Errorf("redis cache: invalidate: %w", err)
		}
		addr := node.Options().Addr
		if byNode[addr] == nil {
			byNode[addr] = &batch{node: node}
		}
		byNode[addr].idx = append(byNode[addr].idx, i)
	}
	errs := make(chan error, len(byNode))
	least := int64(r.waitN)
	var mu sync.Mutex
	for _, b := range byNode {
		go func() {
			var acks *redis.Cmd
			_, err := b.node.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, i := range b.idx {
					p.Set(ctx, r.revisionKey(scopes[i]), tokens[i], r.revisionTTL)
				}
				acks = p.Do(ctx, "WAIT", r.waitN, r.waitTimeout.Milliseconds())
				return nil
			})
			if err == nil {
				n, _ := acks.Int64() // a reply that is no integer counts as none
				mu.Lock()
				least = min(least, n)
				mu.Unlock()
			}
			errs <- err
		}()
	}
	var failed error
	for range byNode {
		if err := <-errs; err != nil && failed == nil {
			failed = err
		}
	}
	if failed == nil {
		var g int64
		if g, failed = cc.Incr(ctx, r.genKey()).Result(); failed == nil {
			r.incremented(g)
			failed = cc.Publish(ctx, r.channel(), payload).Err()
		}
	}
	if failed != nil {
		return fmt.Errorf("redis cache: invalidate: %w", failed)
	}
	if least < int64(r.waitN) {
		return r.unreplicated(least)
	}
	r.replicasShort.Store(false)
	return nil
}

// unreplicated records that the replicas fell short, and is the error
// saying so.
func (r *Redis) unreplicated(acks int64) error {
	r.replicasShort.Store(true)
	return fmt.Errorf("redis cache: invalidate: %d of %d replicas acknowledged within %v: %w", acks, r.waitN, r.waitTimeout, herald.ErrUnreplicated)
}

// parseInvalidation decodes a published message; a scope key that does not
// parse fails the whole message, which the receiver then treats as lost.
func parseInvalidation(payload string) (origin string, scopes []herald.Scope, tokens []string, reset bool, err error) {
	var msg invalidation
	if err := json.Unmarshal([]byte(payload), &msg); err != nil {
		return "", nil, nil, false, fmt.Errorf("decode invalidation: %w", err)
	}
	for _, sr := range msg.Scopes {
		s, err := herald.ParseScopeKey(sr.Scope)
		if err != nil || sr.Rev == "" {
			return "", nil, nil, false, fmt.Errorf("decode invalidation: bad scope %q or revision %q", sr.Scope, sr.Rev)
		}
		scopes = append(scopes, s)
		tokens = append(tokens, sr.Rev)
	}
	return msg.Origin, scopes, tokens, msg.Reset, nil
}
