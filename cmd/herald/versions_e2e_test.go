package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestArticleETagsAndIfMatch: the admin API gives each article's version
// as a strong ETag, and a PUT, PATCH or DELETE with If-Match goes through
// only at a version it names (RFC 9110, 13.1.1), else 412 and nothing
// written.
func TestArticleETagsAndIfMatch(t *testing.T) {
	s := startHerald(t, "")
	r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "First", "summary": "one"})
	e1 := r.Header.Get("ETag")
	if r.Status != http.StatusCreated || len(e1) < 3 || e1[0] != '"' {
		t.Fatalf("POST: %d, ETag %q", r.Status, e1)
	}
	var a map[string]any
	json.Unmarshal(r.Body, &a)
	path := "/api/v1/articles/" + a["id"].(string)
	if g := s.api(t, http.MethodGet, path, nil); g.Header.Get("ETag") != e1 {
		t.Fatalf("GET: ETag %q, want %q", g.Header.Get("ETag"), e1)
	}
	write := func(method, ifMatch, body string) response {
		t.Helper()
		h := []string{"Authorization: Bearer " + testToken, "Content-Type: application/json"}
		if ifMatch != "" {
			h = append(h, "If-Match: "+ifMatch)
		}
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		return s.do(t, method, path, b, h...)
	}
	refused := func(r response, what string) {
		t.Helper()
		if r.Status != http.StatusPreconditionFailed || decodeError(t, r).Error.Code != "precondition_failed" {
			t.Errorf("%s: %d %s, want 412 precondition_failed", what, r.Status, r.Body)
		}
	}
	refused(write(http.MethodPut, `"999999999"`, `{"title":"Stale"}`), "PUT at another version")
	refused(write(http.MethodPut, "W/"+e1, `{"title":"Weak"}`), "PUT with a weak tag")
	refused(write(http.MethodPatch, `"x", "999999999"`, `{"title":"Stale"}`), "PATCH at other versions")
	refused(write(http.MethodDelete, `"999999999"`, ""), "DELETE at another version")
	// "*" is the wildcard only as the whole value; among tags it names no
	// version.
	refused(write(http.MethodPatch, `"999999999", *`, `{"title":"Stale"}`), "PATCH with a star among other tags")
	if g := s.api(t, http.MethodGet, path, nil); g.Header.Get("ETag") != e1 || !feedHas(g, `"title":"First"`) {
		t.Fatalf("after the refused writes: ETag %q, %s", g.Header.Get("ETag"), g.Body)
	}

	r = write(http.MethodPut, e1, `{"title":"Second"}`)
	e2 := r.Header.Get("ETag")
	if r.Status != http.StatusOK || e2 == "" || e2 == e1 {
		t.Fatalf("PUT at the current version: %d, ETag %q (was %q)", r.Status, e2, e1)
	}
	refused(write(http.MethodPatch, e1, `{"summary":"late"}`), "PATCH at the replaced version")
	r = write(http.MethodPatch, `"1", `+e2, `{"summary":"two"}`)
	e3 := r.Header.Get("ETag")
	if r.Status != http.StatusOK || e3 == e2 || !feedHas(r, `"summary":"two"`) {
		t.Fatalf("PATCH with a list naming the current version: %d, ETag %q, %s", r.Status, e3, r.Body)
	}
	if r = write(http.MethodPatch, "*", `{"summary":"three"}`); r.Status != http.StatusOK {
		t.Fatalf("PATCH If-Match *: %d %s", r.Status, r.Body)
	}
	e4 := r.Header.Get("ETag")
	if g := s.api(t, http.MethodGet, path, nil); g.Header.Get("ETag") != e4 {
		t.Fatalf("GET after the writes: ETag %q, want the last write's %q", g.Header.Get("ETag"), e4)
	}
	refused(write(http.MethodDelete, e3, ""), "DELETE at an earlier version")
	if r = write(http.MethodDelete, e4, ""); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE at the current version: %d %s", r.Status, r.Body)
	}
	refused(write(http.MethodPut, "*", `{"title":"Back"}`), "PUT If-Match * of a deleted article")
	if r = write(http.MethodDelete, "", ""); r.Status != http.StatusNotFound {
		t.Errorf("DELETE without If-Match of a deleted article: %d, want 404", r.Status)
	}
}

// TestArticleIfNoneMatch: a GET whose If-None-Match names the article's
// version is answered 304; a PUT, PATCH or DELETE whose If-None-Match
// names it ("*": any version) is refused with 412 and writes nothing
// (RFC 9110, 13.1.2); one naming another version goes through.
func TestArticleIfNoneMatch(t *testing.T) {
	s := startHerald(t, "")
	r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Kept", "summary": "one"})
	e1 := r.Header.Get("ETag")
	var a map[string]any
	json.Unmarshal(r.Body, &a)
	path := "/api/v1/articles/" + a["id"].(string)
	send := func(method, inm, body string) response {
		t.Helper()
		h := []string{"Authorization: Bearer " + testToken, "Content-Type: application/json", "If-None-Match: " + inm}
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		return s.do(t, method, path, b, h...)
	}
	for _, inm := range []string{e1, "W/" + e1, `"1", ` + e1, "*"} {
		if g := send(http.MethodGet, inm, ""); g.Status != http.StatusNotModified || g.Header.Get("ETag") != e1 || len(g.Body) != 0 {
			t.Errorf("GET If-None-Match %s: %d, ETag %q, %d bytes; want 304 with the ETag and no body", inm, g.Status, g.Header.Get("ETag"), len(g.Body))
		}
		for _, w := range []struct{ method, body string }{{http.MethodPut, `{"title":"Overwritten"}`}, {http.MethodPatch, `{"summary":"overwritten"}`}, {http.MethodDelete, ""}} {
			if r := send(w.method, inm, w.body); r.Status != http.StatusPreconditionFailed || decodeError(t, r).Error.Code != "precondition_failed" {
				t.Errorf("%s If-None-Match %s: %d %s, want 412", w.method, inm, r.Status, r.Body)
			}
		}
	}
	if g := s.api(t, http.MethodGet, path, nil); g.Status != 200 || g.Header.Get("ETag") != e1 || !feedHas(g, `"summary":"one"`) {
		t.Fatalf("after the refused writes: %d, ETag %q, %s", g.Status, g.Header.Get("ETag"), g.Body)
	}
	if g := send(http.MethodGet, `"999999999"`, ""); g.Status != 200 || !feedHas(g, `"title":"Kept"`) {
		t.Errorf("GET If-None-Match of another version: %d, want 200 with the article", g.Status)
	}
	r = send(http.MethodPatch, `"999999999"`, `{"summary":"two"}`)
	if r.Status != http.StatusOK || r.Header.Get("ETag") == e1 || !feedHas(r, `"summary":"two"`) {
		t.Fatalf("PATCH If-None-Match of another version: %d %s", r.Status, r.Body)
	}
	if r = send(http.MethodPut, e1, `{"title":"Replaced"}`); r.Status != http.StatusOK {
		t.Fatalf("PUT If-None-Match of a version no longer current: %d %s", r.Status, r.Body)
	}
	if r = send(http.MethodDelete, e1, ""); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE If-None-Match of a version no longer current: %d %s", r.Status, r.Body)
	}
	if r = send(http.MethodPut, "*", `{"title":"Gone"}`); r.Status != http.StatusNotFound {
		t.Errorf("PUT If-None-Match * of a deleted article: %d, want 404 (PUT does not create)", r.Status)
	}
}

// TestConcurrentPatchesLoseNothing: PATCHes of different fields sent at
// once all land: each is applied to the version it read and written only
// if the article is still at it, else applied again to the newer one.
func TestConcurrentPatchesLoseNothing(t *testing.T) {
	onEachStore(t, concurrentPatches)
}

// TestSimultaneousPatchesAllLand: eight PATCHes of eight fields sent at the
// same moment all answer 200 and all show: an attempt fails only when
// another patch was written since its read, so none needs more attempts
// than there are patches (writeAttempts).
func TestSimultaneousPatchesAllLand(t *testing.T) {
	onEachStore(t, func(t *testing.T, s *testServer) {
		a := s.create(t, map[string]any{"title": "Crowded"})
		patchAllAtOnce(t, s, "/api/v1/articles/"+a["id"].(string))
	})
}

// eightPatches are patches of eight fields of an article.
var eightPatches = map[string]any{
	"summary": "patched", "image": "https://news.example.com/p.png", "language": "fr",
	"content_html": "<p>patched</p>", "categories": []string{"Patched"}, "tags": []string{"patched"},
	"authors": []map[string]string{{"name": "Patcher"}}, "chapters_url": "https://news.example.com/c.json",
}

// patchAllAtOnce sends eightPatches to the article at path at the same
// moment, each with headers, and checks that every one answers 200 and
// shows in the article.
func patchAllAtOnce(t *testing.T, s *testServer, path string, headers ...string) {
	t.Helper()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for field, value := range eightPatches {
		body, _ := json.Marshal(map[string]any{field: value})
		wg.Go(func() {
			<-start
			h := append([]string{"Authorization: Bearer " + testToken, "Content-Type: application/merge-patch+json"}, headers...)
			if r := s.do(t, http.MethodPatch, path, body, h...); r.Status != http.StatusOK {
				t.Errorf("PATCH %s %v: %d %s", body, headers, r.Status, r.Body)
			}
		})
	}
	close(start)
	wg.Wait()
	var got map[string]any
	mustUnmarshal(t, s.api(t, http.MethodGet, path, nil).Body, &got)
	for field, value := range eightPatches {
		want, _ := json.Marshal(value)
		if have, _ := json.Marshal(got[field]); string(have) != string(want) {
			t.Errorf("%s = %s, want %s", field, have, want)
		}
	}
}

func concurrentPatches(t *testing.T, s *testServer) {
	a := s.create(t, map[string]any{"title": "Shared"})
	path := "/api/v1/articles/" + a["id"].(string)
	fields := []string{"summary", "image", "language"}
	values := func(field string, i int) string {
		switch field {
		case "image":
			return fmt.Sprintf("https://news.example.com/%d.png", i)
		case "language":
			return []string{"en", "fr", "de", "it", "es"}[i%5]
		}
		return fmt.Sprintf("summary %d", i)
	}
	last := make([]string, len(fields))
	var wg sync.WaitGroup
	for w, field := range fields {
		wg.Go(func() {
			for i := range 15 {
				body, _ := json.Marshal(map[string]string{field: values(field, i)})
				r := s.do(t, http.MethodPatch, path, body, "Authorization: Bearer "+testToken, "Content-Type: application/merge-patch+json")
				switch r.Status {
				case http.StatusOK:
					last[w] = values(field, i)
				case http.StatusConflict: // it kept changing: allowed, and then not applied
				default:
					t.Errorf("PATCH %s: %d %s", body, r.Status, r.Body)
				}
			}
		})
	}
	wg.Wait()
	var got map[string]any
	if err := json.Unmarshal(s.api(t, http.MethodGet, path, nil).Body, &got); err != nil {
		t.Fatal(err)
	}
	for w, field := range fields {
		if last[w] != "" && got[field] != last[w] {
			t.Errorf("%s = %v, want %q, the last value a PATCH was answered 200 for", field, got[field], last[w])
		}
	}
}

// TestUnchangedWriteWritesNothing: saving an article as it is (a PUT of the
// same document, an empty PATCH) keeps its version, its updated_at and
// every feed's ETag, so readers polling with If-None-Match still get 304.
func TestUnchangedWriteWritesNothing(t *testing.T) {
	s := startHerald(t, "")
	doc := map[string]any{"title": "Steady", "summary": "as it was", "categories": []string{"News"}, "published_at": "2026-01-02T03:04:05Z"}
	r := s.api(t, http.MethodPost, "/api/v1/articles", doc)
	tag := r.Header.Get("ETag")
	var a map[string]any
	json.Unmarshal(r.Body, &a)
	path := "/api/v1/articles/" + a["id"].(string)
	feedTag := s.get(t, "/categories/news/feed.rss").Header.Get("ETag")
	for _, w := range []struct {
		method, body string
	}{
		{http.MethodPut, `{"title":"Steady","summary":"as it was","categories":["News"],"published_at":"2026-01-02T03:04:05Z"}`},
		{http.MethodPatch, `{}`},
		{http.MethodPatch, `{"summary":"as it was"}`},
	} {
		r := s.do(t, w.method, path, []byte(w.body), "Authorization: Bearer "+testToken, "Content-Type: application/json")
		var got map[string]any
		json.Unmarshal(r.Body, &got)
		if r.Status != http.StatusOK || r.Header.Get("ETag") != tag || got["updated_at"] != a["updated_at"] {
			t.Errorf("%s %s: %d, ETag %q (was %q), updated_at %v (was %v)", w.method, w.body, r.Status, r.Header.Get("ETag"), tag, got["updated_at"], a["updated_at"])
		}
		if f := s.get(t, "/categories/news/feed.rss", "If-None-Match: "+feedTag); f.Status != http.StatusNotModified {
			t.Errorf("after %s %s the feed answers %d, want 304", w.method, w.body, f.Status)
		}
	}
	// A change is a change.
	r = s.do(t, http.MethodPatch, path, []byte(`{"summary":"changed"}`), "Authorization: Bearer "+testToken, "Content-Type: application/json")
	if r.Header.Get("ETag") == tag || s.get(t, "/categories/news/feed.rss", "If-None-Match: "+feedTag).Status != http.StatusOK {
		t.Errorf("a real change kept the ETags")
	}
}

// TestScheduledWritesKeepFeeds: creating, editing and deleting an article
// scheduled for later changes no feed a reader can see, so every feed it
// belongs to keeps its ETag and Last-Modified and still answers 304.
func TestScheduledWritesKeepFeeds(t *testing.T) {
	s := startHerald(t, "")
	// The very first write, scheduled, leaves the empty feed as it was.
	empty := s.get(t, "/feed.rss").Header.Get("ETag")
	s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Early", "published_at": "2099-03-01T00:00:00Z"})
	if r := s.get(t, "/feed.rss", "If-None-Match: "+empty); r.Status != http.StatusNotModified {
		t.Errorf("after a scheduled first write the empty feed answers %d, want 304", r.Status)
	}
	s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Out", "categories": []string{"News"}, "published_at": "2026-01-02T03:04:05Z"})
	feeds := []string{"/feed.rss", "/feed.atom", "/feed.json", "/categories/news/feed.rss", "/categories/news/feed.atom"}
	afterThisSecond() // for their Last-Modified
	tags := map[string]string{}
	modified := map[string]string{}
	for _, f := range feeds {
		r := s.get(t, f)
		tags[f], modified[f] = r.Header.Get("ETag"), r.Header.Get("Last-Modified")
	}
	unchanged := func(step string) {
		t.Helper()
		for _, f := range feeds {
			if r := s.get(t, f, "If-None-Match: "+tags[f]); r.Status != http.StatusNotModified {
				t.Errorf("after %s, %s answers %d to its ETag, want 304", step, f, r.Status)
			}
			if r := s.get(t, f); r.Header.Get("Last-Modified") != modified[f] {
				t.Errorf("after %s, %s Last-Modified %q, want %q", step, f, r.Header.Get("Last-Modified"), modified[f])
			}
		}
	}

	// Last-Modified counts whole seconds: the writes below land in a later
	// second than the first, so any that moved it would show.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Next week", "categories": []string{"News"}, "tags": []string{"Premiere"}, "published_at": "2099-01-01T00:00:00Z"})
	var a map[string]any
	json.Unmarshal(r.Body, &a)
	path := "/api/v1/articles/" + a["id"].(string)
	unchanged("a scheduled POST")
	// Nor do the names it brings show before it does.
	for _, f := range []string{"/tags/premiere/feed.rss", "/tags/premiere/feed"} {
		if r := s.get(t, f); r.Status != http.StatusNotFound {
			t.Errorf("%s of a scheduled article's new tag: %d, want 404", f, r.Status)
		}
	}
	if r := s.do(t, http.MethodPatch, path, []byte(`{"title":"Next month","published_at":"2099-02-01T00:00:00Z"}`), "Authorization: Bearer "+testToken, "Content-Type: application/json"); r.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	unchanged("a scheduled PATCH")
	if r := s.do(t, http.MethodDelete, path, nil, "Authorization: Bearer "+testToken); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	unchanged("a scheduled DELETE")

	// Publishing now is a change to every feed.
	s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Now", "categories": []string{"News"}})
	for _, f := range feeds {
		if r := s.get(t, f, "If-None-Match: "+tags[f]); r.Status != http.StatusOK {
			t.Errorf("after a published POST, %s answers %d, want 200", f, r.Status)
		}
	}
}

// TestArticleIfMatchAndUnmodifiedSince: a GET whose If-Match names no
// version of the article is a 412, as a write's is; without If-Match,
// If-Unmodified-Since refuses a GET, PUT, PATCH or DELETE of an article
// changed after the date and lets through those at or after its last
// change; a date that does not parse is ignored, and If-Match, when
// present, decides alone.
func TestArticleIfMatchAndUnmodifiedSince(t *testing.T) {
	s := startHerald(t, "")
	r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Guarded", "summary": "one"})
	etag := r.Header.Get("ETag")
	var a map[string]any
	mustUnmarshal(t, r.Body, &a)
	path := "/api/v1/articles/" + a["id"].(string)
	updated, err := time.Parse(time.RFC3339, a["updated_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, header, body string) response {
		t.Helper()
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		return s.do(t, method, path, b, "Authorization: Bearer "+testToken, "Content-Type: application/json", header)
	}
	if g := send(http.MethodGet, `If-Match: "999999999"`, ""); g.Status != http.StatusPreconditionFailed || decodeError(t, g).Error.Code != "precondition_failed" {
		t.Errorf("GET If-Match of another version: %d %s, want 412", g.Status, g.Body)
	}
	for _, h := range []string{"If-Match: " + etag, "If-Match: *"} {
		if g := send(http.MethodGet, h, ""); g.Status != 200 {
			t.Errorf("GET %s: %d, want 200", h, g.Status)
		}
	}
	before := "If-Unmodified-Since: " + updated.Add(-time.Hour).UTC().Format(http.TimeFormat)
	for _, w := range []struct{ method, body string }{{http.MethodGet, ""}, {http.MethodPut, `{"title":"Overwritten"}`}, {http.MethodPatch, `{"summary":"overwritten"}`}, {http.MethodDelete, ""}} {
		if r := send(w.method, before, w.body); r.Status != http.StatusPreconditionFailed || decodeError(t, r).Error.Code != "precondition_failed" {
			t.Errorf("%s %s: %d %s, want 412", w.method, before, r.Status, r.Body)
		}
	}
	if g := s.api(t, http.MethodGet, path, nil); !feedHas(g, `"summary":"one"`) || g.Header.Get("ETag") != etag {
		t.Fatalf("the refused writes changed the article: %s", g.Body)
	}
	// If-Match decides alone; a date that is not one is ignored.
	if r := send(http.MethodGet, "If-Unmodified-Since: yesterday", ""); r.Status != 200 {
		t.Errorf("GET with a date that does not parse: %d, want 200", r.Status)
	}
	if r := s.do(t, http.MethodGet, path, nil, "Authorization: Bearer "+testToken, "If-Match: "+etag, before); r.Status != 200 {
		t.Errorf("GET with its If-Match and an earlier If-Unmodified-Since: %d, want 200", r.Status)
	}
	at := "If-Unmodified-Since: " + updated.UTC().Format(http.TimeFormat)
	if r := send(http.MethodPatch, at, `{"summary":"two"}`); r.Status != 200 {
		t.Fatalf("PATCH %s (the article's own second): %d %s, want 200", at, r.Status, r.Body)
	}
	later := "If-Unmodified-Since: " + time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if r := send(http.MethodDelete, later, ""); r.Status != http.StatusNoContent {
		t.Errorf("DELETE %s: %d %s, want 204", later, r.Status, r.Body)
	}
}

// TestConditionalWritesThatHoldForAnyVersionAllLand: a write whose
// precondition holds for whatever version it meets (If-Match: *, which
// asks only that the article exists, or an If-Unmodified-Since in the
// future) is not failed by the writes sent beside it: each is evaluated
// again against the version another write left and lands, as a write
// without preconditions does. Four PATCHes and four PUTs at once, then
// eight PATCHes of eight fields: every one answers 200, every patched
// field shows (as many writes as writeAttempts sent at once all land).
func TestConditionalWritesThatHoldForAnyVersionAllLand(t *testing.T) {
	onEachStore(t, func(t *testing.T, s *testServer) {
		a := s.create(t, map[string]any{"title": "Contended", "slug": "contended"})
		path := "/api/v1/articles/" + a["id"].(string)
		start := make(chan struct{})
		var wg sync.WaitGroup
		i := 0
		for field, value := range eightPatches {
			if i == 4 {
				break // four patches and four PUTs: eight writes at once
			}
			body, _ := json.Marshal(map[string]any{field: value})
			// (If-Unmodified-Since alone is refused when another write
			// lands between read and write: a date cannot tell them apart.)
			cond := "If-Match: *"
			i++
			wg.Go(func() {
				<-start
				r := s.do(t, http.MethodPatch, path, body, "Authorization: Bearer "+testToken, "Content-Type: application/merge-patch+json", cond)
				if r.Status != http.StatusOK {
					t.Errorf("PATCH %s with %s: %d %s", body, cond, r.Status, r.Body)
				}
			})
			// A PUT of the article as it was created, with *: it may land
			// before or after any patch.
			wg.Go(func() {
				<-start
				r := s.do(t, http.MethodPut, path, []byte(`{"title":"Contended"}`), "Authorization: Bearer "+testToken, "Content-Type: application/json", "If-Match: *")
				if r.Status != http.StatusOK {
					t.Errorf("PUT with If-Match *: %d %s", r.Status, r.Body)
				}
			})
		}
		close(start)
		wg.Wait()
		// The PUTs may have reset fields patched before them: eight
		// patches at once, with If-Match: *, must all land too.
		patchAllAtOnce(t, s, path, "If-Match: *")
		var got map[string]any
		mustUnmarshal(t, s.api(t, http.MethodGet, path, nil).Body, &got)
		if got["slug"] != "contended" {
			t.Errorf("slug %v after PUTs without one, want the article's own, contended", got["slug"])
		}
	})
}

// TestArticleTagsCompareExactly: an article's tag is compared as the
// octets Herald sent (RFC 9110, 8.8.3.2): "+0610" is not "610", and a
// feed's coding suffix names no article version.
func TestArticleTagsCompareExactly(t *testing.T) {
	s := startHerald(t, "")
	r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Exact"})
	etag := r.Header.Get("ETag")
	var a map[string]any
	mustUnmarshal(t, r.Body, &a)
	path := "/api/v1/articles/" + a["id"].(string)
	version := etag[1 : len(etag)-1]
	auth := "Authorization: Bearer " + testToken
	for _, tag := range []string{`"+` + version + `"`, `"0` + version + `"`, `"` + version + `-gzip"`} {
		if r := s.do(t, http.MethodPatch, path, []byte(`{"summary":"x"}`), auth, "Content-Type: application/merge-patch+json", "If-Match: "+tag); r.Status != http.StatusPreconditionFailed {
			t.Errorf("PATCH If-Match %s (the article is at %s): %d, want 412", tag, etag, r.Status)
		}
		if r := s.do(t, http.MethodGet, path, nil, auth, "If-None-Match: "+tag); r.Status != http.StatusOK {
			t.Errorf("GET If-None-Match %s (the article is at %s): %d, want 200", tag, etag, r.Status)
		}
	}
	if r := s.do(t, http.MethodGet, path, nil, auth, "If-None-Match: W/"+etag); r.Status != http.StatusNotModified {
		t.Errorf("GET If-None-Match W/%s: %d, want 304 (If-None-Match compares weakly)", etag, r.Status)
	}
}

// TestBodyIDComparesLikeTheURL: ids are UUIDs, which compare without
// regard to case, in the body as in the URL.
func TestBodyIDComparesLikeTheURL(t *testing.T) {
	s := startHerald(t, "")
	a := s.create(t, map[string]any{"title": "Cased"})
	id := a["id"].(string)
	upper := strings.ToUpper(id)
	body := []byte(`{"id":"` + upper + `","title":"Cased again"}`)
	if r := s.do(t, http.MethodPut, "/api/v1/articles/"+id, body, "Authorization: Bearer "+testToken, "Content-Type: application/json"); r.Status != http.StatusOK {
		t.Errorf("PUT with the id upper-cased in the body: %d %s", r.Status, r.Body)
	}
	if r := s.do(t, http.MethodPatch, "/api/v1/articles/"+upper, []byte(`{"id":"`+id+`"}`), "Authorization: Bearer "+testToken, "Content-Type: application/merge-patch+json"); r.Status != http.StatusOK {
		t.Errorf("PATCH of the upper-cased URL with the id in lower case: %d %s", r.Status, r.Body)
	}
	other := []byte(`{"id":"00000000-0000-4000-8000-000000000000","title":"Other"}`)
	if r := s.do(t, http.MethodPut, "/api/v1/articles/"+id, other, "Authorization: Bearer "+testToken, "Content-Type: application/json"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("PUT naming another id: %d, want 422", r.Status)
	}
}
