package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// Paging (RFC 5005).
//
// A feed is served as two kinds of document. The subscription document
// (no ?page) holds the newest Limit articles and changes with every
// publication. The history is cut into pages counted from the OLDEST
// article: page 1 holds the Limit oldest, page 2 the next Limit, and so
// on up to page P = ceil(total/Limit), the newest and usually partial one.
// Inside a page articles are newest first, as everywhere else.
//
// Counting from the oldest is what lets a page stop changing: a new
// article lands at the newest end, so every full page (page*Limit <=
// total) keeps exactly its articles for ever after, and is marked as an
// archive (fh:archive): RFC 5005 asks an archive's set of entries not to
// change. Pages counted from the newest would shift by one article at
// every publication and could never be archived.
//
// A page's links still depend on the page after it: "previous" names the
// subscription document until page N+1 exists, and "next-archive"
// appears once page N+1 is full (RFC 5005 expects an archive to gain it
// when the next archive appears). So the newest full page, whose
// neighbour is partial or missing, changes with the next publication,
// a scheduled article coming due included, though its articles do not.
// Only a sealed page - full, and followed by a full page - keeps its
// bytes until a write; only it is served with the long archive max-age
// (sealed), and its Last-Modified stops at the newest article of the page
// after it (herald.FeedPage.Horizon). The newest full page is served like
// the subscription document: feed.max_age, shortened to the next due
// article, and a Last-Modified that moves with the scope's newest
// publication. What can still change a sealed page is a publisher's own
// edit, a deletion or a back-dated article; each of those bumps the
// scope's revision, so caches holding the page under our ETag revalidate,
// and a reader that cached it for the long max-age sees the edit late -
// the trade RFC 5005 makes for archives.
//
// Links: the subscription document points "next" (and "prev-archive") at
// the newest full page, and "last" at page 1; page N points "next" and
// "prev-archive" at N-1, "previous" at N+1 (the subscription document
// after the newest page), "next-archive" at N+1 when that page is itself
// an archive, and "first" and "current" at the subscription document. So
// "next" always leads to older articles, as JSON Feed's next_url does.

// document locates one document of a feed in a scope of total visible
// articles: the store window (newest-first offset and count) and its
// paging.
type document struct {
	offset, count int
	pages, full   int // pages in the history; how many of them are full
}

// locate maps page (0 for the subscription document) to its window, or
// reports that the page does not exist.
func locate(total, limit, page int) (document, bool) {
	d := document{pages: max(1, (total+limit-1)/limit), full: total / limit}
	if page == 0 {
		d.count = limit
		return d, true
	}
	if page < 1 || page > d.pages {
		return d, false
	}
	start, end := (page-1)*limit, min(page*limit, total)
	d.offset, d.count = total-end, end-start
	return d, true
}

// readDocument reads the articles of the document k names. A history page
// is located from the scope's total, which the store returns with every
// read; when a write changes the total between the two reads, the window
// is located again, so a page is never cut from two different states.
func (f *Feeds) readDocument(ctx context.Context, k herald.FeedKey, now time.Time) (*herald.FeedPage, document, error) {
	q := herald.FeedQuery{Scope: k.Scope, Now: now, Limit: k.Limit}
	if k.Offset == 0 {
		page, err := f.store.Feed(ctx, q)
		if err != nil {
			return nil, document{}, err
		}
		d, _ := locate(page.Total, k.Limit, 0)
		return page, d, nil
	}
	q.Limit = 1
	probe, err := f.store.Feed(ctx, q)
	if err != nil {
		return nil, document{}, err
	}
	total := probe.Total
	for range 3 {
		d, ok := locate(total, k.Limit, k.Offset)
		if !ok {
			// A well-formed page number naming no page is a page that
			// does not exist (yet, or any more: articles were deleted),
			// not the client's mistake: a reader following an archive
			// link it stored gets a 404 (RFC 9110, 15.5.5).
			// absent: the scope exists, and its revision must stay.
			return nil, d, absent{herald.FieldError(herald.ENotFound, "page", "page %d does not exist: this feed has pages 1 to %d", k.Offset, d.pages)}
		}
		q.Offset, q.Limit = d.offset, d.count
		page, err := f.store.Feed(ctx, q)
		if err != nil {
			return nil, d, err
		}
		if page.Total == total {
			return page, d, nil
		}
		total = page.Total
	}
	return nil, document{}, fmt.Errorf("feed: page %d of %s: the scope kept changing while it was read", k.Offset, k.Scope.Key())
}

// sealed reports whether the document k names, in a scope of total
// visible articles, is a sealed archive: a history page followed by a full
// page, whose bytes (articles and links alike) no publication changes. The
// newest full page is an archive (fh:archive) but not sealed: its
// "previous" and "next-archive" links change as the next page fills.
func sealed(k herald.FeedKey, total int) bool {
	d, ok := locate(total, k.Limit, k.Offset)
	return ok && k.Offset > 0 && k.Offset < d.full
}

// PageParam validates a ?page= value (absent: the subscription document).
// Whether the page exists is known only once the scope is read.
func PageParam(raw string, present bool) (int, error) {
	if !present {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, herald.FieldError(herald.EBadRequest, "page", "page must be a whole number of 1 or more, got %q", raw)
	}
	return n, nil
}

// paging builds the RFC 5005 links of document d of the feed k. The
// subscription document of a feed that fits in one document has none.
func (s *Site) paging(k herald.FeedKey, d document, total int) *herald.Paging {
	sub := s.FeedURL(herald.FeedKey{Scope: k.Scope, Format: k.Format, Limit: k.Limit})
	at := func(n int) string { return pageURL(sub, n) }
	if k.Offset == 0 {
		if total <= k.Limit {
			return nil
		}
		// The newest article it does not show is the (total-limit)th from
		// the oldest, on page (total-1)/limit.
		return &herald.Paging{First: sub, Next: at(d.full), Last: at(1), PrevArchive: at(d.full), Older: at((total - 1) / k.Limit)}
	}
	n := k.Offset
	p := &herald.Paging{First: sub, Last: at(1), Current: sub, Archive: n <= d.full}
	if n > 1 {
		p.Next, p.PrevArchive, p.Older = at(n-1), at(n-1), at(n-1)
	}
	if n < d.pages {
		p.Previous, p.Newer = at(n+1), at(n+1)
	} else {
		// The newest page: the subscription document shows its articles
		// again, so a person has nothing newer to go to.
		p.Previous = sub
	}
	if n+1 <= d.full {
		p.NextArchive = at(n + 1)
	}
	return p
}

// pageURL adds page=n to a feed URL that may already carry a query.
func pageURL(feedURL string, n int) string {
	sep := "?"
	if strings.Contains(feedURL, "?") {
		sep = "&"
	}
	return feedURL + sep + "page=" + strconv.Itoa(n)
}
