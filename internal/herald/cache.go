package herald

import (
	"context"
	"errors"
	"time"
)

// ErrUnreplicated is wrapped by the error of an invalidation that a shared
// cache's primary took but too few of its replicas acknowledged in time
// (cache.RedisOptions.WaitReplicas): the new revisions are in force, but a
// failover now could bring the old ones back, so the caller should
// invalidate again later. It is not a failure of the cache: a circuit
// breaker counts it as a success, and reads go on.
var ErrUnreplicated = errors.New("new revisions not yet on enough replicas")

type repeatKey struct{}

// Repeating returns ctx marking an invalidation as the background repeat
// of one that failed or fell short of its replicas. A shared cache whose
// replicas fell short at its last wait skips the wait on a write's own
// invalidation (it reports ErrUnreplicated at once, leaving the wait to
// the repeat), and waits in full on a repeat, which is how it learns that
// the replicas are back.
func Repeating(ctx context.Context) context.Context {
	return context.WithValue(ctx, repeatKey{}, true)
}

// IsRepeating reports whether ctx was marked by Repeating.
func IsRepeating(ctx context.Context) bool {
	r, _ := ctx.Value(repeatKey{}).(bool)
	return r
}

// Entry is one rendered feed as the cache keeps it: the exact bytes served,
// the strong ETag computed from them at render time and the Last-Modified
// time. Entries are immutable once stored; callers must not modify Body.
type Entry struct {
	Body         []byte
	ETag         string // quoted strong entity tag, e.g. "\"3f2a…\""
	LastModified time.Time
	ContentType  string
	// Archive marks a feed page whose entries no longer change when
	// articles are published, which may be cached for much longer.
	Archive bool
	// Due is when the next scheduled article of the feed's scope becomes
	// visible, ending this rendering's time as the current one (whole
	// seconds); zero when none is scheduled. Caches in front of Herald
	// are told to keep the feed no longer than that.
	Due time.Time
	// Variants are Body compressed per content coding, produced once
	// when the feed was rendered; a cache may leave out the codings a
	// request did not ask for (see CodedGetter).
	Variants Variants
}

// FeedKey names one cached representation: a scope, a format and the
// paging parameters that change the bytes.
type FeedKey struct {
	Scope  Scope
	Format Format
	// Offset selects the document: 0 is the subscription document (the
	// newest Limit articles); N >= 1 is page N of the feed's history,
	// counted from the oldest article, as ?page=N asks for it.
	Offset int
	Limit  int
}

// Lookup is the answer of Cache.Get.
type Lookup struct {
	// Hit reports that a current entry exists.
	Hit bool
	// NotModified reports that the entry's validators satisfy the request's
	// condition; Entry.Body is then nil because it was not fetched.
	NotModified bool
	// Entry holds the entry on a hit.
	Entry Entry
	// Revision is the scope's current cache revision. On a miss, the caller
	// renders and stores under this revision; if a write bumped it in the
	// meantime, the stored entry is simply never served.
	Revision string
	// Minted reports that the cache held no revision for the scope and
	// made Revision just now (one it evicted, or never had): it then says
	// nothing about whether a write changed the scope since an earlier
	// rendering.
	Minted bool
	// TTL is, on a hit, how long the entry has left in the cache that
	// answered, when it can tell (Redis); zero otherwise. A copy kept
	// elsewhere must not outlive it: it ends early when a scheduled
	// article is due.
	TTL time.Duration
}

// Cache keeps rendered feeds, shared by every replica when it is Redis.
//
// Invalidation works by revision: each scope has an opaque revision token;
// Invalidate replaces the tokens of the given scopes, and an entry stored
// under an older token no longer matches. Nothing is ever scanned or
// flushed; stale entries expire by TTL.
type Cache interface {
	// Get returns the entry for k if it was stored under the scope's
	// current revision. When cond is not nil and the entry's validators
	// satisfy it, the body is not read (NotModified is set).
	Get(ctx context.Context, k FeedKey, cond *Condition) (Lookup, error)
	// Put stores e for k under revision rev (as returned by Get) for ttl.
	Put(ctx context.Context, k FeedKey, rev string, e Entry, ttl time.Duration) error
	// Invalidate gives each scope a new revision, so every entry of those
	// scopes stops matching before Invalidate returns. An error wrapping
	// ErrUnreplicated means the new revisions are in force but not yet
	// safe from a failover: invalidate again later.
	Invalidate(ctx context.Context, scopes []Scope) error
	// Ping checks that the cache answers.
	Ping(ctx context.Context) error
	// Name says which implementation this is ("memory", "redis"), for
	// health reports and logs.
	Name() string
	// Close releases the cache's resources.
	Close() error
}
