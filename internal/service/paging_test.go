package service

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	gofeedjson "github.com/mmcdole/gofeed/json"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestLocate(t *testing.T) {
	tests := []struct {
		total, limit, page int
		want               document
		ok                 bool
	}{
		{45, 20, 0, document{offset: 0, count: 20, pages: 3, full: 2}, true},
		{45, 20, 1, document{offset: 25, count: 20, pages: 3, full: 2}, true},
		{45, 20, 2, document{offset: 5, count: 20, pages: 3, full: 2}, true},
		{45, 20, 3, document{offset: 0, count: 5, pages: 3, full: 2}, true},
		{45, 20, 4, document{pages: 3, full: 2}, false},
		{40, 20, 2, document{offset: 0, count: 20, pages: 2, full: 2}, true},
		{0, 20, 1, document{offset: 0, count: 0, pages: 1, full: 0}, true},
		{0, 20, 2, document{pages: 1}, false},
	}
	for _, tt := range tests {
		got, ok := locate(tt.total, tt.limit, tt.page)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("locate(%d, %d, %d)=%+v, %v; want %+v, %v", tt.total, tt.limit, tt.page, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPagingLinks(t *testing.T) {
	s := testSite()
	k := func(page int) herald.FeedKey {
		return herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatAtom, Offset: page, Limit: 20}
	}
	sub := "https://example.com/feed.atom"
	p := func(n int) string { return fmt.Sprintf("%s?page=%d", sub, n) }
	tests := []struct {
		name  string
		total int
		page  int
		want  *herald.Paging
	}{
		{"fits in one document", 20, 0, nil},
		{"subscription", 45, 0, &herald.Paging{First: sub, Next: p(2), Last: p(1), PrevArchive: p(2), Older: p(2)}},
		// Page 2 holds exactly the 20 articles the subscription document
		// shows: RFC 5005's next is that archive, a person's Older page 1.
		{"subscription of a multiple", 40, 0, &herald.Paging{First: sub, Next: p(2), Last: p(1), PrevArchive: p(2), Older: p(1)}},
		{"oldest page", 45, 1, &herald.Paging{First: sub, Last: p(1), Current: sub, Previous: p(2), NextArchive: p(2), Archive: true, Newer: p(2)}},
		{"newest full page", 45, 2, &herald.Paging{First: sub, Last: p(1), Current: sub, Next: p(1), PrevArchive: p(1), Previous: p(3), Archive: true, Older: p(1), Newer: p(3)}},
		{"partial page", 45, 3, &herald.Paging{First: sub, Last: p(1), Current: sub, Next: p(2), PrevArchive: p(2), Previous: sub, Older: p(2)}},
		{"newest page full", 40, 2, &herald.Paging{First: sub, Last: p(1), Current: sub, Next: p(1), PrevArchive: p(1), Previous: sub, Archive: true, Older: p(1)}},
		{"the only page", 5, 1, &herald.Paging{First: sub, Last: p(1), Current: sub, Previous: sub}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := locate(tt.total, 20, tt.page)
			got := s.paging(k(tt.page), d, tt.total)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Fatalf("paging=%+v, want %+v", got, tt.want)
			}
		})
	}
	// A non-default limit stays in every link.
	d, _ := locate(45, 10, 1)
	got := s.paging(herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Offset: 1, Limit: 10}, d, 45)
	if want := "https://example.com/feed.rss?limit=10&page=2"; got.Previous != want {
		t.Fatalf("previous=%q, want %q", got.Previous, want)
	}
}

func TestPageParam(t *testing.T) {
	for _, raw := range []string{"0", "-1", "x", "1.5", ""} {
		if _, err := PageParam(raw, true); herald.ErrorCode(err) != herald.EBadRequest || herald.ErrorField(err) != "page" {
			t.Errorf("PageParam(%q) err=%v, want bad_request on field page", raw, err)
		}
	}
	if n, err := PageParam("7", true); n != 7 || err != nil {
		t.Errorf("PageParam(7)=%d, %v", n, err)
	}
	if n, err := PageParam("", false); n != 0 || err != nil {
		t.Errorf("PageParam(absent)=%d, %v", n, err)
	}
}

// TestWalkHistory stores 45 articles in real SQLite, follows "next" from
// the subscription document with a real parser, and checks that every
// article is reached, that archive pages are flagged (and only sealed ones
// cached as archives), and that archive pages keep their exact bytes when
// more articles are published.
func TestWalkHistory(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	start := fx.clock.Now().Add(-100 * time.Hour)
	publish := func(i int) {
		a := &herald.Article{Title: fmt.Sprintf("Post %02d", i), PublishedAt: start.Add(time.Duration(i) * time.Hour)}
		if err := fx.articles.Create(ctx, a); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	for i := range 45 {
		publish(i)
	}
	get := func(k herald.FeedKey) herald.Entry {
		t.Helper()
		res, err := fx.feeds.Get(ctx, k, nil)
		if err != nil {
			t.Fatalf("Get(%+v): %v", k, err)
		}
		return res.Entry
	}
	key := func(f herald.Format, page int) herald.FeedKey {
		return herald.FeedKey{Scope: herald.SiteScope, Format: f, Offset: page, Limit: 20}
	}

	for _, f := range herald.Formats {
		seen := map[string]bool{}
		url := ""
		k := key(f, 0)
		for step := 0; step < 10; step++ {
			e := get(k)
			p := gofeed.NewParser()
			p.KeepOriginalFeed = true
			feed, err := p.ParseString(string(e.Body))
			if err != nil {
				t.Fatalf("%s: parse: %v", f, err)
			}
			for _, it := range feed.Items {
				seen[it.GUID] = true
			}
			// Pages 1 and 2 are full, so archives (fh:archive in the
			// bytes), but only page 1, followed by a full page, is sealed
			// and cached as one: page 2 gains "next-archive" when page 3
			// fills.
			if wantArchive := k.Offset == 1; e.Archive != wantArchive {
				t.Errorf("%s page %d: Archive=%v, want %v", f, k.Offset, e.Archive, wantArchive)
			}
			if f != herald.FormatJSON {
				if marked, want := strings.Contains(string(e.Body), "<fh:archive"), k.Offset == 1 || k.Offset == 2; marked != want {
					t.Errorf("%s page %d: fh:archive=%v, want %v", f, k.Offset, marked, want)
				}
			}
			url = nextLink(t, f, feed)
			if url == "" {
				break
			}
			var n int
			if _, err := fmt.Sscanf(url[len(url)-1:], "%d", &n); err != nil {
				t.Fatalf("%s: next link %q", f, url)
			}
			k = key(f, n)
		}
		if len(seen) != 45 {
			t.Errorf("%s: walking next from the subscription document reached %d articles, want 45", f, len(seen))
		}
	}

	// A page past the last does not exist (garbage is TestPageParam's).
	_, err := fx.feeds.Get(ctx, key(herald.FormatRSS, 4), nil)
	if herald.ErrorCode(err) != herald.ENotFound || herald.ErrorField(err) != "page" {
		t.Fatalf("page 4 of 3: err=%v, want not_found on page", err)
	}

	// Publishing more leaves archives byte-for-byte alone and moves the
	// partial page.
	before := map[int][]byte{1: get(key(herald.FormatAtom, 1)).Body, 2: get(key(herald.FormatAtom, 2)).Body, 3: get(key(herald.FormatAtom, 3)).Body}
	fx.clock.Set(fx.clock.Now().Add(time.Hour)) // the write happens later
	publish(45)
	for page, body := range before {
		after := get(key(herald.FormatAtom, page)).Body
		if changed := !bytes.Equal(body, after); changed != (page == 3) {
			t.Errorf("page %d changed=%v after a publication, want %v", page, changed, page == 3)
		}
	}
}

// nextLink is the feed's link to older articles in format f.
func nextLink(t *testing.T, f herald.Format, feed *gofeed.Feed) string {
	t.Helper()
	if f == herald.FormatJSON {
		return feed.OriginalFeed().(*gofeedjson.Feed).NextURL
	}
	for _, l := range feed.Extensions["atom"]["link"] {
		if l.Attrs["rel"] == "next" {
			return l.Attrs["href"]
		}
	}
	if orig, ok := feed.OriginalFeed().(*atom.Feed); ok {
		for _, l := range orig.Links {
			if l.Rel == "next" {
				return l.Href
			}
		}
	}
	return ""
}

// TestPagePastTheLastKeepsTheScope: a history page past the last is a 404
// naming page, and the scope, which exists, keeps its revision: the
// subscription document stays cached however often such a page is asked
// for, in the feed and in its HTML view alike.
func TestPagePastTheLastKeepsTheScope(t *testing.T) {
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	sub := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	if _, err := fx.feeds.Get(ctx, sub, nil); err != nil {
		t.Fatal(err)
	}
	st := fx.feeds.Stats()
	renders := st.Renders.Load()
	past := sub
	past.Offset = 9
	view := func(herald.Channel, []*herald.Article) ([]byte, error) { return []byte("<p>view</p>"), nil }
	for range 3 {
		_, err := fx.feeds.Get(ctx, past, nil)
		if herald.ErrorCode(err) != herald.ENotFound || herald.ErrorField(err) != "page" || !strings.Contains(herald.ErrorMessage(err), "pages 1 to 1") {
			t.Fatalf("page 9 of 1: err %v, want not_found naming page and the pages there are", err)
		}
		_, err = fx.feeds.GetView(ctx, past, nil, herald.CodingIdentity, view)
		if herald.ErrorCode(err) != herald.ENotFound || herald.ErrorField(err) != "page" {
			t.Fatalf("page 9 of 1 as HTML: err %v, want not_found naming page", err)
		}
	}
	res, err := fx.feeds.Get(ctx, sub, nil)
	if err != nil || !res.Cached || st.Renders.Load() != renders {
		t.Errorf("the subscription document after pages past the last: err %v, cached %v, %d renders more; want it still cached",
			err, res.Cached, st.Renders.Load()-renders)
	}
}
