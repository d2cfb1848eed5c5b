package cache

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis can lose writes it acknowledged: restarted from a snapshot older
// than the last invalidations, or a failover to a replica they had not
// reached. It then holds the old revisions of the scopes those writes
// touched and the feeds rendered under them, and nothing in the data tells
// them from current ones. To notice, every invalidation also increments a
// counter, the generation ({prefix}:gen), and each process remembers the
// highest value it has seen: its own increments' replies, and the value it
// reads every RedisOptions.GenerationCheck. A generation lower than one
// seen means writes were lost. One process (a compare-and-set decides)
// then drops every revision key of the prefix, so every scope starts on a
// fresh revision and every stored feed stops matching, and publishes a
// reset that makes every local tier drop what it holds.
//
// What it cannot see: a loss no process saw the generation of (every
// process restarted with Redis, or the only writer died before its next
// check).

//go:embed scripts/generation.lua
var generationSource string

var generationScript = redis.NewScript(generationSource)

// Resets returns how many times this process dropped every revision after
// finding that Redis had lost writes.
func (r *Redis) Resets() int64 { return r.resets.Load() }

// genKey is {prefix}:gen.
func (r *Redis) genKey() string { return r.prefix + ":gen" }

// sawGeneration raises the highest generation seen to g, and reports
// whether g went back below it (writes were lost).
func (r *Redis) sawGeneration(g int64) (lost bool) {
	for {
		cur := r.gen.Load()
		if g < cur {
			return true
		}
		if g == cur || r.gen.CompareAndSwap(cur, g) {
			return false
		}
	}
}

// incremented records the reply of this process's own increment of the
// generation. A reply not above the highest seen means the counter went
// back, unless a check read this very increment first: the checker is
// asked to look now, and decides by reading it again.
func (r *Redis) incremented(g int64) {
	if g <= r.gen.Load() && r.genKick != nil {
		select {
		case r.genKick <- struct{}{}:
		default:
		}
	}
	r.sawGeneration(g)
}

// checkGeneration reads the generation and, when it went back, resets
// every revision unless another process got there first. It reports how
// many revisions it dropped (0 when it did not reset).
func (r *Redis) checkGeneration(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	g, err := r.client.Get(ctx, r.genKey()).Int64()
	if errors.Is(err, redis.Nil) {
		g, err = 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("redis cache: generation: %w", err)
	}
	seen := r.gen.Load()
	if !r.sawGeneration(g) {
		return 0, nil
	}
	return r.resetRevisions(ctx, g, seen)
}

// resetRevisions restores the generation to seen and, if this process is
// the one that did, drops every revision key of the prefix and publishes
// the reset.
func (r *Redis) resetRevisions(ctx context.Context, found, seen int64) (int, error) {
	won, err := generationScript.Run(ctx, r.client, []string{r.genKey()}, seen).Int()
	if err != nil || won == 0 {
		if err != nil {
			err = fmt.Errorf("redis cache: generation: %w", err)
		}
		return 0, err
	}
	n, err := r.forgetRevisions(context.WithoutCancel(ctx))
	payload, _ := json.Marshal(invalidation{Reset: true})
	if perr := r.client.Publish(ctx, r.channel(), payload).Err(); err == nil && perr != nil {
		err = fmt.Errorf("redis cache: publish reset: %w", perr)
	}
	r.resets.Add(1)
	r.log.Warn("redis lost writes (its generation went back: restarted empty or from an older snapshot, or failed over); "+
		"every feed revision dropped, so every feed renders afresh from the store, where nothing was lost",
		"generation", found, "seen", seen, "revisions", n, "err", err)
	return n, err
}

// forgetRevisions deletes every {prefix}:rev:* key, on every master of a
// Cluster, one key per command (a Cluster refuses multi-key commands
// across slots).
func (r *Redis) forgetRevisions(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pattern := globEscape(r.prefix) + ":rev:*"
	var mu sync.Mutex
	total := 0
	scan := func(ctx context.Context, c *redis.Client) error {
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, pattern, 500).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
					for _, k := range keys {
						p.Unlink(ctx, k)
					}
					return nil
				}); err != nil {
					return err
				}
				mu.Lock()
				total += len(keys)
				mu.Unlock()
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	err := r.eachMaster(ctx, scan)
	if err != nil {
		err = fmt.Errorf("redis cache: drop revisions: %w", err)
	}
	return total, err
}

// globEscape quotes the characters SCAN's MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// watchGeneration checks the generation every interval until stop closes,
// and at once when an invalidation's reply showed it went back (kick).
func (r *Redis) watchGeneration(interval time.Duration) {
	defer close(r.genDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-r.genStop:
			return
		case <-t.C:
		case <-r.genKick:
		}
		// Errors are Redis being away: the next tick tries again.
		_, _ = r.checkGeneration(context.Background())
	}
}
