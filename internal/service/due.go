package service

import (
	"context"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// dueCheck is how often WatchDue looks for articles that came due when it
// knows of none: other processes schedule articles too. (A variable for
// tests.)
var dueCheck = 10 * time.Second

// dueLookback is how far back WatchDue looks when it starts, so that the
// articles that came due while a process restarted (a deploy) are told of;
// some may be told of twice.
const dueLookback = 5 * time.Minute

// dueScan is how many of the site's newest articles one look reads; more
// only when all of them came due since the last look.
const dueScan = 50

// WatchDue calls changed, until ctx ends, with the scopes of every article
// that comes due: written with a publication date still to come, which
// changes its feeds at that date with no write to tell of it (the write
// path tells only of what readers could see when it wrote:
// ArticlesOptions.Changed). It wakes at the next publication date the
// store knows, at least every 10 s, and whenever poke receives. It reads
// the articles only when something may have come due: the site's revision
// moved (a write, by any process) or its next publication date passed.
// When it starts it looks 5 minutes back (dueLookback); articles that came
// due earlier, while no process watched, are not told of.
func (f *Feeds) WatchDue(ctx context.Context, poke <-chan struct{}, changed func([]herald.Scope)) {
	last := f.now().Add(-dueLookback)
	seen := int64(-1) // the site's revision as of the last look
	timer := time.NewTimer(dueCheck)
	defer timer.Stop()
	for {
		wait := dueCheck
		v, verr := f.DirectoryVersion(ctx)
		if verr == nil && !v.Due.IsZero() {
			wait = min(wait, max(v.Due.Sub(f.now()), 0))
		}
		timer.Reset(wait)
		poked := false
		select {
		case <-ctx.Done():
			return
		case <-poke:
			poked = true
		case <-timer.C:
		}
		now := f.now()
		if !poked && verr == nil && v.Revision == seen && (v.Due.IsZero() || v.Due.After(now)) {
			// No write since the last look, and nothing was due: last
			// stays, so that the next look covers this time too.
			continue
		}
		scopes, err := f.cameDue(ctx, last, now)
		if err != nil {
			if ctx.Err() == nil {
				f.log.Debug("could not read the articles that came due; looking again", "err", err)
			}
			// last stays, so the next look covers this one's time too, and
			// it must happen: the date that made this one may not show in
			// the next version read (the article is no longer scheduled).
			seen = -1
			continue
		}
		// v was read before the wait: a write during it moves the revision
		// the next look reads, which then looks again.
		last, seen = now, v.Revision
		if verr != nil {
			seen = -1
		}
		if len(scopes) > 0 {
			changed(scopes)
		}
	}
}

// cameDue lists the scopes of the articles published in (from, to] that
// were scheduled when last written (updated before their publication
// date); an article written already published was told of by its write.
func (f *Feeds) cameDue(ctx context.Context, from, to time.Time) ([]herald.Scope, error) {
	for limit := dueScan; ; limit *= 10 {
		page, err := f.store.Feed(ctx, herald.FeedQuery{Scope: herald.SiteScope, Now: to, Limit: limit})
		if err != nil {
			return nil, err
		}
		var scopes []herald.Scope
		all := true
		for _, a := range page.Articles {
			if !a.PublishedAt.After(from) {
				all = false
				break
			}
			if a.UpdatedAt.Before(a.PublishedAt) {
				scopes = append(scopes, a.Scopes()...)
			}
		}
		if !all || len(page.Articles) < limit {
			return uniqueScopes(scopes), nil
		}
		if limit >= 100*dueScan {
			f.log.Warn("more articles were published since the last look for those that came due than one look reads; hubs are told of the newest only",
				"articles", limit)
			return uniqueScopes(scopes), nil
		}
	}
}
