package cache

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
)

// invalidation is the message a write publishes on the invalidation
// channel: the scopes it touched and their new revision tokens, and which
// Tiered cache sent it (so that the sender, which applied it before its
// write returned, skips its own echo).
type invalidation struct {
	Origin string          `json:"origin,omitempty"`
	Scopes []scopeRevision `json:"scopes"`
}

type scopeRevision struct {
	Scope string `json:"scope"` // herald.Scope.Key()
	Rev   string `json:"rev"`
}

// channel is the Pub/Sub channel of invalidations; the prefix keeps sites
// sharing one Redis apart.
func (r *Redis) channel() string { return r.prefix + ":invalidations" }

// invalidate gives each scope a fresh token and publishes them, in one
// pipeline, and returns the tokens.
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
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	_, err = r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, s := range scopes {
			p.Set(ctx, r.revisionKey(s), tokens[i], r.revisionTTL)
		}
		p.Publish(ctx, r.channel(), payload)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redis cache: invalidate: %w", err)
	}
	return tokens, nil
}

// parseInvalidation decodes a published message; a scope key that does not
// parse fails the whole message, which the receiver then treats as lost.
func parseInvalidation(payload string) (origin string, scopes []herald.Scope, tokens []string, err error) {
	var msg invalidation
	if err := json.Unmarshal([]byte(payload), &msg); err != nil {
		return "", nil, nil, fmt.Errorf("decode invalidation: %w", err)
	}
	for _, sr := range msg.Scopes {
		s, err := herald.ParseScopeKey(sr.Scope)
		if err != nil || sr.Rev == "" {
			return "", nil, nil, fmt.Errorf("decode invalidation: bad scope %q or revision %q", sr.Scope, sr.Rev)
		}
		scopes = append(scopes, s)
		tokens = append(tokens, sr.Rev)
	}
	return msg.Origin, scopes, tokens, nil
}
