package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestConditionalGet(t *testing.T) {
	s := startHerald(t, "")
	publishSamples(t, s)
	afterThisSecond()
	for _, path := range []string{"/feed.rss", "/feed.atom", "/feed.json", "/tags/rss/feed.rss"} {
		t.Run(path, func(t *testing.T) {
			first := s.get(t, path)
			etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
			if first.Status != 200 || len(etag) < 3 || etag[0] != '"' || lastMod == "" {
				t.Fatalf("status %d ETag %q Last-Modified %q, want 200 with a strong ETag and Last-Modified", first.Status, etag, lastMod)
			}
			if cc := first.Header.Get("Cache-Control"); cc != "public, max-age=300" {
				t.Errorf("Cache-Control=%q, want public, max-age=300", cc)
			}
			if v := first.Header.Get("Vary"); v == "" {
				t.Errorf("Vary missing")
			}
			lm, err := http.ParseTime(lastMod)
			if err != nil {
				t.Fatalf("Last-Modified %q: %v", lastMod, err)
			}
			future := time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat)
			tests := []struct {
				name    string
				headers []string
				want    int
			}{
				{"etag", []string{"If-None-Match: " + etag}, 304},
				{"weak etag", []string{"If-None-Match: W/" + etag}, 304},
				{"etag in a list", []string{`If-None-Match: "nope", ` + etag + `, "other"`}, 304},
				{"star", []string{"If-None-Match: *"}, 304},
				{"other etag", []string{`If-None-Match: "nope"`}, 200},
				{"inm wins over a matching ims", []string{`If-None-Match: "nope"`, "If-Modified-Since: " + lastMod}, 200},
				{"matching etag wins over an old ims", []string{"If-None-Match: " + etag, "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"}, 304},
				{"exact date", []string{"If-Modified-Since: " + lastMod}, 304},
				{"date after last-modified, not in the future", []string{"If-Modified-Since: " + time.Now().UTC().Format(http.TimeFormat)}, 304},
				{"earlier date", []string{"If-Modified-Since: " + lm.Add(-time.Second).Format(http.TimeFormat)}, 200},
				{"made-up epoch", []string{"If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"}, 200},
				{"future date", []string{"If-Modified-Since: " + future}, 200},
				{"garbage date", []string{"If-Modified-Since: last tuesday"}, 200},
				// If-Match and If-Unmodified-Since come first (RFC 9110, 13.2.2).
				{"if-match current", []string{"If-Match: " + etag}, 200},
				{"if-match a coding's tag", []string{"If-Match: " + etag[:len(etag)-1] + `-gzip"`}, 200},
				{"if-match star", []string{"If-Match: *"}, 200},
				{"if-match in a list", []string{`If-Match: "nope", ` + etag}, 200},
				{"if-match stale", []string{`If-Match: "nope"`}, 412},
				{"if-match weak", []string{"If-Match: W/" + etag}, 412},
				{"failing if-match wins over a matching inm", []string{`If-Match: "nope"`, "If-None-Match: " + etag}, 412},
				{"holding if-match, then inm", []string{"If-Match: " + etag, "If-None-Match: " + etag}, 304},
				{"ius at last-modified", []string{"If-Unmodified-Since: " + lastMod}, 200},
				{"ius before last-modified", []string{"If-Unmodified-Since: " + lm.Add(-time.Second).Format(http.TimeFormat)}, 412},
				{"ius garbage", []string{"If-Unmodified-Since: soon"}, 200},
				{"holding if-match leaves an old ius out", []string{"If-Match: " + etag, "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT"}, 200},
			}
			for _, tt := range tests {
				r := s.get(t, path, tt.headers...)
				if r.Status != tt.want {
					t.Errorf("%s: status %d, want %d", tt.name, r.Status, tt.want)
					continue
				}
				if tt.want == 412 {
					if !strings.Contains(string(r.Body), `"precondition_failed"`) {
						t.Errorf("%s: 412 body %s, want the error code precondition_failed", tt.name, r.Body)
					}
					continue
				}
				if tt.want == 304 {
					if len(r.Body) != 0 {
						t.Errorf("%s: 304 with a %d-byte body", tt.name, len(r.Body))
					}
					for _, h := range []string{"ETag", "Cache-Control", "Vary"} {
						if r.Header.Get(h) != first.Header.Get(h) {
							t.Errorf("%s: 304 %s=%q, want %q", tt.name, h, r.Header.Get(h), first.Header.Get(h))
						}
					}
				} else if string(r.Body) != string(first.Body) {
					t.Errorf("%s: 200 body differs from the first response", tt.name)
				}
			}
			head := s.do(t, http.MethodHead, path, nil)
			if head.Status != 200 || len(head.Body) != 0 || head.Header.Get("ETag") != etag {
				t.Errorf("HEAD: status %d, %d body bytes, ETag %q; want 200, no body, %q", head.Status, len(head.Body), head.Header.Get("ETag"), etag)
			}
			if head304 := s.do(t, http.MethodHead, path, nil, "If-None-Match: "+etag); head304.Status != 304 {
				t.Errorf("conditional HEAD: status %d, want 304", head304.Status)
			}
			if head412 := s.do(t, http.MethodHead, path, nil, `If-Match: "nope"`); head412.Status != 412 {
				t.Errorf("HEAD with a stale If-Match: status %d, want 412", head412.Status)
			}
		})
	}
}

// TestInvalidation proves every write changes exactly the feeds it should,
// immediately, and that Last-Modified never goes backwards.
func TestInvalidation(t *testing.T) {
	s := startHerald(t, "")
	runInvalidation(t, s)
}

func runInvalidation(t *testing.T, s *testServer) {
	created := publishSamples(t, s)
	watched := []string{"/feed.rss", "/feed.json", "/categories/engineering/feed.atom", "/categories/coffee/feed.rss", "/categories/podcast/feed.rss", "/tags/origins/feed.rss"}
	snapshot := func() map[string]response {
		m := map[string]response{}
		for _, p := range watched {
			r := s.get(t, p)
			m[p] = r
		}
		return m
	}
	changed := func(before, after map[string]response, path string) bool {
		return before[path].Header.Get("ETag") != after[path].Header.Get("ETag")
	}
	expect := func(step string, before, after map[string]response, want ...string) {
		t.Helper()
		for _, p := range watched {
			if got, w := changed(before, after, p), contains(want, p); got != w {
				t.Errorf("%s: %s changed=%v, want %v", step, p, got, w)
			}
		}
	}
	// Prime the cache, then check a second read is served unchanged.
	s0 := snapshot()
	expect("no write", s0, snapshot())

	// Create in Coffee: site, coffee change; engineering does not.
	s.create(t, map[string]any{"title": "Cold brew", "categories": []string{"Coffee"}, "published_at": "2026-04-01T08:00:00Z"})
	s1 := snapshot()
	expect("create in coffee", s0, s1, "/feed.rss", "/feed.json", "/categories/coffee/feed.rss")
	if f := parseFeed(t, s1["/feed.rss"]); f.Items[0].Title != "Cold brew" {
		t.Errorf("after create, newest site item=%q, want Cold brew", f.Items[0].Title)
	}

	// Move the first article from Engineering+Coffee to Podcast: all three change.
	id := created[0]["id"].(string)
	r := s.api(t, http.MethodPatch, "/api/v1/articles/"+id, map[string]any{"categories": []string{"Podcast"}})
	if r.Status != 200 {
		t.Fatalf("patch: status %d: %s", r.Status, r.Body)
	}
	s2 := snapshot()
	expect("move categories", s1, s2, "/feed.rss", "/feed.json", "/categories/engineering/feed.atom", "/categories/coffee/feed.rss", "/categories/podcast/feed.rss", "/tags/origins/feed.rss")
	for _, it := range parseFeed(t, s2["/categories/engineering/feed.atom"]).Items {
		if it.Title == "Café notes: the first pour" {
			t.Errorf("moved article still in the engineering feed")
		}
	}

	// Delete the newest article: Last-Modified must move forward to the
	// deletion. A feed sends Last-Modified only once the second of its
	// last change is over (a snapshot taken within it has none), so each
	// side is read once its second is over; the delete then falls in a
	// later second than the date before it.
	lastModified := func(step string) time.Time {
		t.Helper()
		var lm time.Time
		eventually(t, 5*time.Second, step+": /feed.rss sending Last-Modified", func() bool {
			var err error
			lm, err = http.ParseTime(s.get(t, "/feed.rss").Header.Get("Last-Modified"))
			return err == nil
		})
		return lm
	}
	lmBefore := lastModified("before the delete")
	list := s.api(t, http.MethodGet, "/api/v1/articles?per_page=1", nil)
	var newest struct {
		Articles []struct{ ID string } `json:"articles"`
	}
	mustUnmarshal(t, list.Body, &newest)
	if r := s.api(t, http.MethodDelete, "/api/v1/articles/"+newest.Articles[0].ID, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: status %d: %s", r.Status, r.Body)
	}
	s3 := snapshot()
	expect("delete newest (coffee)", s2, s3, "/feed.rss", "/feed.json", "/categories/coffee/feed.rss")
	if lmAfter := lastModified("after the delete"); !lmAfter.After(lmBefore) {
		t.Errorf("Last-Modified did not move forward after a delete: %v -> %v", lmBefore, lmAfter)
	}
	if r := s.get(t, "/feed.rss", "If-None-Match: "+s2["/feed.rss"].Header.Get("ETag")); r.Status != 200 {
		t.Errorf("old ETag after delete: status %d, want 200", r.Status)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestLastModifiedOfTheCurrentSecond: a feed written twice within one
// second, and read between the writes, must not give the reader a
// Last-Modified under which the second write gets a 304. Herald sends
// Last-Modified only once its second is over. Each round writes, reads,
// and writes again at once, so most rounds put all three in one second.
func TestLastModifiedOfTheCurrentSecond(t *testing.T) {
	s := startHerald(t, "")
	for i := range 20 {
		s.create(t, map[string]any{"title": fmt.Sprintf("First %d", i)})
		r := s.get(t, "/feed.rss")
		lm := r.Header.Get("Last-Modified")
		second := fmt.Sprintf("Second %d", i)
		s.create(t, map[string]any{"title": second})
		if lm == "" {
			continue
		}
		again := s.get(t, "/feed.rss", "If-Modified-Since: "+lm)
		if again.Status != 200 || !strings.Contains(string(again.Body), second) {
			t.Fatalf("round %d: If-Modified-Since %s after a second write: status %d, want 200 with %q", i, lm, again.Status, second)
		}
	}
	// Once its second is over, the feed has its Last-Modified.
	time.Sleep(1100 * time.Millisecond)
	r := s.get(t, "/feed.rss")
	if lm := r.Header.Get("Last-Modified"); lm == "" {
		t.Fatal("no Last-Modified a second after the last write")
	} else if again := s.get(t, "/feed.rss", "If-Modified-Since: "+lm); again.Status != 304 {
		t.Errorf("If-Modified-Since %s with no write since: status %d, want 304", lm, again.Status)
	}
}

// TestMaxAgeEndsWhenAnArticleIsDue: while a scheduled article is due
// sooner than feed.max_age, the feeds it will appear in tell caches to
// keep them no longer than that, on 200s and 304s; an archive page and a
// feed it will not appear in keep their own max-age.
func TestMaxAgeEndsWhenAnArticleIsDue(t *testing.T) {
	s := startHerald(t, "", "-feed.default-limit", "1")
	s.create(t, map[string]any{"title": "Out", "categories": []string{"Now"}, "published_at": "2026-01-01T00:00:00Z"})
	s.create(t, map[string]any{"title": "Older", "categories": []string{"Now"}, "published_at": "2025-01-01T00:00:00Z"})
	due := time.Now().Add(40 * time.Second).UTC()
	s.create(t, map[string]any{"title": "Soon", "categories": []string{"Later"}, "published_at": due.Format(time.RFC3339)})
	maxAge := func(r response) int {
		t.Helper()
		v, ok := strings.CutPrefix(r.Header.Get("Cache-Control"), "public, max-age=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			t.Fatalf("Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		return n
	}
	for _, path := range []string{"/feed.rss", "/feed.json"} {
		r := s.get(t, path)
		if n := maxAge(r); n < 1 || n > 40 {
			t.Errorf("%s with an article due in 40 s: max-age=%d, want 1 to 40", path, n)
		}
		nm := s.get(t, path, "If-None-Match: "+r.Header.Get("ETag"))
		if n := maxAge(nm); nm.Status != 304 || n < 1 || n > 40 {
			t.Errorf("%s 304: status %d max-age=%d, want 304 with 1 to 40", path, nm.Status, n)
		}
	}
	// The pages that change then too: the feed's HTML view, and the index
	// and OPML, which list the new category from that moment.
	for _, req := range [][]string{{"/feed.rss", "Accept: text/html"}, {"/"}, {"/feeds.opml"}} {
		r := s.get(t, req[0], req[1:]...)
		if n := maxAge(r); n < 1 || n > 40 {
			t.Errorf("%v with an article due in 40 s: max-age=%d, want 1 to 40", req, n)
		}
	}
	if n := maxAge(s.get(t, "/categories/now/feed.rss", "Accept: text/html")); n != 300 {
		t.Errorf("the HTML view of a feed nothing is due in: max-age=%d, want 300", n)
	}
	// The category of articles already out is not waiting for anything;
	// the archive page of the site feed does not change on publication.
	if n := maxAge(s.get(t, "/categories/now/feed.rss")); n != 300 {
		t.Errorf("a feed nothing is due in: max-age=%d, want 300", n)
	}
	if r := s.get(t, "/feed.atom?limit=1&page=1"); r.Status != 200 || maxAge(r) < 300 {
		t.Errorf("archive page: status %d, Cache-Control %q, want 200 with the archive max-age", r.Status, r.Header.Get("Cache-Control"))
	}
}
