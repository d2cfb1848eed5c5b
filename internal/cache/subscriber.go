package cache

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// listen keeps the invalidation subscription and applies what arrives,
// until ctx ends. go-redis reconnects and resubscribes a PubSub by itself
// after a failed read; the confirmation of that subscription is what turns
// the local tier back on.
func (t *Tiered) listen(ctx context.Context) {
	defer close(t.done)
	ps := t.ps
	silent := 0
	backoff := 50 * time.Millisecond
	for {
		msg, err := ps.ReceiveTimeout(ctx, t.health)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Quiet channel: ask for a pong. A second silent interval
				// means the connection may be dead without saying so.
				silent++
				if silent >= 2 {
					t.setLive(false, "no answer to ping", err)
				}
				_ = ps.Ping(ctx)
				continue
			}
			t.setLive(false, "receive failed", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		silent, backoff = 0, 50*time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				t.setLive(true, "subscribed", nil)
			}
		case *redis.Pong:
			// A pong after a silent spell proves the connection and its
			// subscription are alive; the local tier restarts empty.
			t.setLive(true, "pong", nil)
		case *redis.Message:
			t.receive(m.Payload)
		}
	}
}

// receive applies one published invalidation. A message that cannot be
// read is treated like a lost one would be if we knew: the whole local
// tier is dropped.
func (t *Tiered) receive(payload string) {
	origin, scopes, tokens, reset, err := parseInvalidation(payload)
	if err != nil || reset {
		if err != nil {
			t.log.Warn("unreadable cache invalidation; dropping the local tier", "err", err)
		} else {
			t.log.Warn("every revision in Redis was dropped after it lost writes; dropping the local tier")
		}
		t.mu.Lock()
		t.epoch++
		t.local.Close()
		t.mu.Unlock()
		return
	}
	if origin == t.origin {
		return // applied before our own Invalidate returned
	}
	t.apply(scopes, tokens, nil)
}
