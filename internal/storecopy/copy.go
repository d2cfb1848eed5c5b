// Package storecopy moves every article from one herald.Store to another,
// which is how a site grows from SQLite to PostgreSQL (`herald copy`).
//
// Articles keep their ids, slugs, dates and UpdatedAt. Copying is
// idempotent: an article the target already holds unchanged is skipped, one
// that differs is overwritten, so a copy that stopped half-way is finished
// by running it again. Articles only the target holds are left alone.
package storecopy

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/herald-feeds/herald/internal/herald"
)

// Target is a store that can take an article as it is, UpdatedAt included,
// bumping the scopes it touches (both stores implement it).
type Target interface {
	herald.Store
	PutArticle(ctx context.Context, a *herald.Article) (old *herald.Article, err error)
}

// Options tune a copy. Zero values take the defaults.
type Options struct {
	// PageSize is how many articles are read from the source at a time
	// (default 100).
	PageSize int
	// Progress receives one line per failed article, a progress line every
	// ProgressEvery articles (default 100; negative for none) and nothing
	// else; the caller prints the summary. Nil discards.
	Progress      io.Writer
	ProgressEvery int
	// Invalidate, when set, is called with the scopes of every article
	// written, so that a cache in front of a live target drops stale feeds.
	// Its failure does not stop the copy: every write leaves its scopes on
	// record in the target (herald.Store), where a serving process finds
	// and invalidates them. After the first failure the copy says so once
	// on Progress and calls it no more, rather than wait on a dead cache
	// for every article.
	Invalidate func(ctx context.Context, scopes []herald.Scope) error
}

// Summary counts what a copy did.
type Summary struct {
	Read, Created, Updated, Unchanged, Failed int

	invalidationFailed bool // the cache refused an invalidation: stop asking
}

// String is the one-line summary printed at the end of a copy.
func (s Summary) String() string {
	return fmt.Sprintf("%d articles read: %d created, %d updated, %d unchanged, %d failed",
		s.Read, s.Created, s.Updated, s.Unchanged, s.Failed)
}

// Copy copies every article of from into to. An article that cannot be
// written (say, its slug belongs to another article in the target) is
// reported and counted, and the copy goes on; the returned error is then
// non-nil. A failure to read either store stops the copy.
func Copy(ctx context.Context, from herald.Store, to Target, opts Options) (Summary, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.ProgressEvery == 0 {
		opts.ProgressEvery = 100
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	var sum Summary
	for offset := 0; ; offset += opts.PageSize {
		page, total, err := from.ListArticles(ctx, offset, opts.PageSize)
		if err != nil {
			return sum, fmt.Errorf("copy: read source: %w", err)
		}
		for _, a := range page {
			sum.Read++
			if sum.invalidationFailed {
				opts.Invalidate = nil
			}
			if err := copyOne(ctx, a, to, opts, &sum); err != nil {
				if herald.ErrorCode(err) != herald.EConflict {
					return sum, err
				}
				sum.Failed++
				fmt.Fprintf(opts.Progress, "failed: article %s (slug %q): %s\n", a.ID, a.Slug, herald.ErrorMessage(err))
			}
			if opts.ProgressEvery > 0 && sum.Read%opts.ProgressEvery == 0 {
				fmt.Fprintf(opts.Progress, "copied %d/%d articles (%d created, %d updated, %d unchanged, %d failed)\n",
					sum.Read, total, sum.Created, sum.Updated, sum.Unchanged, sum.Failed)
			}
		}
		if len(page) < opts.PageSize {
			break
		}
	}
	if sum.Failed > 0 {
		return sum, fmt.Errorf("copy: %d articles could not be written", sum.Failed)
	}
	return sum, nil
}

// copyOne writes a into to unless to already holds it unchanged.
func copyOne(ctx context.Context, a *herald.Article, to Target, opts Options, sum *Summary) error {
	existing, err := to.Article(ctx, a.ID)
	switch {
	case err == nil && Same(existing, a):
		sum.Unchanged++
		return nil
	case err != nil && !herald.IsNotFound(err):
		return fmt.Errorf("copy: read target: %w", err)
	}
	old, err := to.PutArticle(ctx, a)
	if err != nil {
		if herald.ErrorCode(err) == herald.EConflict {
			return err
		}
		return fmt.Errorf("copy: write %s: %w", a.ID, err)
	}
	scopes := a.Scopes()
	if old == nil {
		sum.Created++
	} else {
		sum.Updated++
		scopes = append(old.Scopes(), scopes...)
	}
	if opts.Invalidate != nil {
		if err := opts.Invalidate(ctx, scopes); err != nil {
			fmt.Fprintf(opts.Progress, "cache invalidation failed (%v); going on without it: the written feeds stay on record in the target, and a Herald serving it invalidates them\n", err)
			sum.invalidationFailed = true
		}
	}
	return nil
}

// Same reports whether two articles are equal field by field, times by
// instant and empty lists equal to nil ones.
func Same(a, b *herald.Article) bool {
	return a.UpdatedAt.Equal(b.UpdatedAt) && a.SameAs(b)
}

// errNotTarget is returned by AsTarget for a store that cannot take
// articles as they are.
var errNotTarget = errors.New("copy: this store cannot be a copy target")

// AsTarget returns s as a Target, or an error when it is not one.
func AsTarget(s herald.Store) (Target, error) {
	t, ok := s.(Target)
	if !ok {
		return nil, errNotTarget
	}
	return t, nil
}
