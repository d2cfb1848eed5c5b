package cache

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
)

// Defaults of RedisOptions.
const (
	DefaultRedisPrefix      = "herald"
	DefaultRedisTimeout     = 200 * time.Millisecond
	DefaultRedisRevisionTTL = 24 * time.Hour
	DefaultRedisWaitTimeout = 100 * time.Millisecond
)

// RedisOptions configures a Redis cache. Zero values take the defaults.
type RedisOptions struct {
	// Prefix starts every key, so several Herald sites can share one Redis
	// (default "herald"). It should not contain braces, which would change
	// the Cluster hash slot of the keys.
	Prefix string
	// Timeout bounds every call (default 200ms). The cache is an
	// optimisation: a slow Redis must cost a render, not a stalled request.
	Timeout time.Duration
	// RevisionTTL is how long an untouched scope revision lives (default
	// 24h). When it expires the scope's entries merely stop matching.
	RevisionTTL time.Duration
	// LockTTL is how long a render lock lives when its holder never
	// releases it (default 5s); see LockRender.
	LockTTL time.Duration
	// WaitReplicas, when above zero, makes Invalidate wait (Redis WAIT)
	// until that many replicas of each master it wrote to hold the new
	// revisions, for at most WaitTimeout (default 100ms). Fewer
	// acknowledgements make it return an error wrapping ErrUnreplicated,
	// with the revisions in place on the master, so that the caller keeps
	// retrying until a failover could no longer lose them.
	WaitReplicas int
	WaitTimeout  time.Duration
	// Variant names the renderings of this process (its build and the
	// settings that shape a feed). It is part of the entries' and render
	// locks' keys, so processes of different variants never serve one
	// another's renderings, while revisions, invalidations and the
	// generation stay shared. Empty: no variant in the keys.
	Variant string
	// GenerationCheck, when above zero, is how often the cache checks
	// that Redis has not lost acknowledged invalidations (see
	// generation.go) and, if it has, drops every revision. Zero: only an
	// invalidation's own reply can show it, and nothing acts on it.
	GenerationCheck time.Duration
	// Logger receives the warning of such a reset (default: discarded).
	Logger *slog.Logger
	// Now returns the current time for evaluating If-Modified-Since; tests
	// inject a fixed clock. Default time.Now. Entry expiry is Redis's own.
	Now func() time.Time
}

// Redis is a herald.Cache on Redis, shared by every replica. Each method is
// one round trip (Invalidate one pipeline) bounded by RedisOptions.Timeout.
//
// Keys put the scope in braces, a Cluster hash tag, so a scope's revision
// and its entries live in one slot and the scripts may touch both:
//
//	{prefix}:rev:{site}
//	{prefix}:feed:{tag:go}[:variant]:atom:0:20
type Redis struct {
	client      redis.UniversalClient
	prefix      string
	variant     string // ":" + RedisOptions.Variant, or empty
	timeout     time.Duration
	revisionTTL time.Duration
	lockTTL     time.Duration
	waitN       int
	// replicasShort: the last wait for the replicas fell short; until a
	// wait succeeds, only repeats wait (invalidation.go).
	replicasShort atomic.Bool
	waitTimeout   time.Duration
	now           func() time.Time
	log           *slog.Logger
	get, put      *redis.Script

	// The generation (generation.go): the highest seen, the resets made,
	// and the checker.
	gen       atomic.Int64
	resets    atomic.Int64
	genKick   chan struct{}
	genStop   chan struct{}
	genDone   chan struct{}
	closeOnce sync.Once
}

var (
	_ herald.Cache       = (*Redis)(nil)
	_ herald.CodedGetter = (*Redis)(nil)
)

// The Lua sources. Script.Run sends EVALSHA and falls back to EVAL when the
// server does not know a script yet (first use, restart, SCRIPT FLUSH).
var (
	//go:embed scripts/get.lua
	getSource string
	//go:embed scripts/put.lua
	putSource string
	//go:embed scripts/bytes.lua
	bytesSource string // functions the other scripts start with
)

// NewRedis returns a cache on client, which it owns from now on: Close
// closes it. For Timeout to bound slow servers and not only unreachable
// ones, the client should be built with ContextTimeoutEnabled, as
// ParseRedisURL does.
func NewRedis(client redis.UniversalClient, opts RedisOptions) *Redis {
	r := &Redis{
		client:      client,
		prefix:      opts.Prefix,
		variant:     variantPart(opts.Variant),
		timeout:     opts.Timeout,
		revisionTTL: opts.RevisionTTL,
		lockTTL:     opts.LockTTL,
		waitN:       opts.WaitReplicas,
		waitTimeout: opts.WaitTimeout,
		now:         opts.Now,
		get:         redis.NewScript(bytesSource + getSource),
		put:         redis.NewScript(putSource),
	}
	if r.prefix == "" {
		r.prefix = DefaultRedisPrefix
	}
	if r.timeout <= 0 {
		r.timeout = DefaultRedisTimeout
	}
	if r.revisionTTL <= 0 {
		r.revisionTTL = DefaultRedisRevisionTTL
	}
	if r.lockTTL <= 0 {
		r.lockTTL = DefaultRenderLockTTL
	}
	if r.waitTimeout <= 0 {
		r.waitTimeout = DefaultRedisWaitTimeout
	}
	if r.now == nil {
		r.now = time.Now
	}
	r.log = opts.Logger
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if opts.GenerationCheck > 0 {
		r.genKick = make(chan struct{}, 1)
		r.genStop = make(chan struct{})
		r.genDone = make(chan struct{})
		go r.watchGeneration(opts.GenerationCheck)
	}
	return r
}

// ParseRedisURL parses a redis://, rediss:// or unix:// URL into client
// options, with context deadlines enabled so that RedisOptions.Timeout
// applies to reads from a stalled server too. The error never repeats the
// URL, which may hold a password.
func ParseRedisURL(rawURL string) (*redis.Options, error) {
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("redis cache: parse url: %w", err)
	}
	o.ContextTimeoutEnabled = true
	return o, nil
}

// OpenRedis parses rawURL and returns a cache on a new client for it. It
// does not contact the server; call Ping for that.
func OpenRedis(rawURL string, opts RedisOptions) (*Redis, error) {
	o, err := ParseRedisURL(rawURL)
	if err != nil {
		return nil, err
	}
	return NewRedis(redis.NewClient(o), opts), nil
}

// Name implements herald.Cache.
func (r *Redis) Name() string { return "redis" }

// Ping implements herald.Cache.
func (r *Redis) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis cache: ping: %w", err)
	}
	return nil
}

// Close closes the client.
func (r *Redis) Close() error {
	if r.genStop != nil {
		r.closeOnce.Do(func() { close(r.genStop) })
		<-r.genDone
	}
	if err := r.client.Close(); err != nil {
		return fmt.Errorf("redis cache: close: %w", err)
	}
	return nil
}

// Get implements herald.Cache in one round trip: a hit carries the body
// and every stored variant. When cond holds, Redis answers with the
// validators only and Entry.Body is nil.
func (r *Redis) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	return r.get1(ctx, k, cond, fieldAll)
}

// GetCoded implements herald.CodedGetter: like Get, but a hit carries only
// the bytes of coding c (the identity body when that variant is missing),
// so a gzip request moves 58 KiB out of Redis instead of every coding.
func (r *Redis) GetCoded(ctx context.Context, k herald.FeedKey, cond *herald.Condition, c herald.Coding) (herald.Lookup, error) {
	return r.get1(ctx, k, cond, codingField(c))
}

func (r *Redis) get1(ctx context.Context, k herald.FeedKey, cond *herald.Condition, want string) (herald.Lookup, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	now := r.now()
	keys := []string{r.revisionKey(k.Scope), r.entryKey(k)}
	args := getArgs(newRevision(), r.revisionTTL, want, cond, now)
	reply, err := r.get.Run(ctx, r.client, keys, args...).Slice()
	if err != nil {
		return herald.Lookup{}, fmt.Errorf("redis cache: get: %w", err)
	}
	l, serverNotModified, err := parseGetReply(reply)
	if err != nil {
		return herald.Lookup{}, fmt.Errorf("redis cache: get: %w", err)
	}
	if !l.Hit {
		return l, nil
	}
	// The script and herald.Condition should agree; where they might not
	// (sub-second dates, which the script rounds down), Go decides.
	notModified := cond.NotModified(l.Entry.ETag, l.Entry.LastModified, now)
	switch {
	case notModified:
		l.NotModified = true
		l.Entry.Body = nil
	case serverNotModified:
		// Redis withheld a body we need: a miss, so the caller renders.
		return herald.Lookup{Revision: l.Revision}, nil
	}
	return l, nil
}

// Put implements herald.Cache in one round trip. An entry whose revision is
// no longer the scope's current one is silently not stored.
func (r *Redis) Put(ctx context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redis cache: put: ttl %v is not positive", ttl)
	}
	if rev == "" {
		return errors.New("redis cache: put: empty revision")
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	keys := []string{r.revisionKey(k.Scope), r.entryKey(k)}
	lm := e.LastModified
	err := r.put.Run(ctx, r.client, keys,
		rev, e.ETag, lm.Unix(), lm.Nanosecond(), storedType(e), e.Body, ttl.Milliseconds(),
		e.Variants.Gzip, e.Variants.Brotli, e.Variants.Zstd,
	).Err()
	if err != nil {
		return fmt.Errorf("redis cache: put: %w", err)
	}
	return nil
}

// Invalidate implements herald.Cache with one pipeline of SETs, which a
// Cluster client splits by slot, and a PUBLISH of the new tokens that
// every replica's Tiered cache applies to its local tier. Sent by a
// Tiered cache through its Front, it publishes under that cache's origin
// and hands it the tokens (sentNote).
func (r *Redis) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	note := sentNoteOf(ctx)
	origin := ""
	if note != nil {
		origin = note.origin
	}
	tokens, err := r.invalidate(ctx, scopes, origin)
	if note != nil && len(tokens) == len(scopes) && len(tokens) > 0 {
		note.sent(scopes, tokens)
	}
	return err
}

// revisionKey is {prefix}:rev:{scope}.
func (r *Redis) revisionKey(s herald.Scope) string {
	return r.prefix + ":rev:{" + s.Key() + "}"
}

// entryKey is {prefix}:feed:{scope}[:variant]:format:offset:limit.
func (r *Redis) entryKey(k herald.FeedKey) string {
	return r.prefix + ":feed:{" + k.Scope.Key() + "}" + r.variant + ":" + string(k.Format) + ":" +
		strconv.Itoa(k.Offset) + ":" + strconv.Itoa(k.Limit)
}

func variantPart(v string) string {
	if v == "" {
		return ""
	}
	return ":" + v
}

// Persistence reports how the Redis servers keep their data on disk: ""
// when they do not, else what is on ("save 3600 1 300 100",
// "appendonly"), naming the first server found with it (every master of
// a Cluster is asked). A Redis that refuses CONFIG (a managed service
// that renamed it) is asked INFO persistence, which shows the append-only
// file but not the snapshot schedule. Herald's Redis needs no persistence:
// restarted from an older snapshot it would bring back revisions and
// feeds from before the writes since, until their TTL.
func (r *Redis) Persistence(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	check := func(ctx context.Context, c *redis.Client) (string, error) {
		var on []string
		save, err := c.ConfigGet(ctx, "save").Result()
		if err == nil {
			if s := strings.TrimSpace(save["save"]); s != "" {
				on = append(on, "save "+s)
			}
			aof, err := c.ConfigGet(ctx, "appendonly").Result()
			if err == nil && aof["appendonly"] == "yes" {
				on = append(on, "appendonly")
			}
			return strings.Join(on, ", "), err
		}
		info, ierr := c.Info(ctx, "persistence").Result()
		if ierr != nil {
			return "", fmt.Errorf("redis cache: persistence: %w", err)
		}
		if strings.Contains(info, "aof_enabled:1") {
			return "appendonly", nil
		}
		return "", nil
	}
	_, cluster := r.client.(*redis.ClusterClient)
	var mu sync.Mutex
	var found string
	err := r.eachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		p, err := check(ctx, node)
		mu.Lock()
		defer mu.Unlock()
		if p != "" && found == "" {
			found = p
			if cluster {
				found += " (" + node.Options().Addr + ")"
			}
		}
		return err
	})
	return found, err
}

// eachMaster runs fn on every master of a Cluster, in parallel, or on the
// client of a single server or of a Sentinel-watched master.
func (r *Redis) eachMaster(ctx context.Context, fn func(context.Context, *redis.Client) error) error {
	switch c := r.client.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, fn)
	case *redis.Client:
		return fn(ctx, c)
	}
	return fmt.Errorf("redis cache: client %T", r.client)
}
