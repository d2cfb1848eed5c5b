package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestArticleAPILifecycle(t *testing.T) {
	s := startHerald(t, "")
	in := map[string]any{
		"title":        "Lifecycle",
		"summary":      "first",
		"authors":      []map[string]any{{"name": "Ada Lovelace", "email": "ada@example.com", "url": "https://example.com/ada"}},
		"categories":   []string{"Engineering"},
		"tags":         []string{"API"},
		"language":     "en-GB",
		"image":        "https://example.com/i.png",
		"enclosures":   []map[string]any{{"url": "https://example.com/a.mp3", "type": "audio/mpeg", "length": 10, "duration": 60}},
		"published_at": "2026-05-01T10:00:00+02:00",
	}
	r := s.api(t, http.MethodPost, "/api/v1/articles", in)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: status %d: %s", r.Status, r.Body)
	}
	var a map[string]any
	mustUnmarshal(t, r.Body, &a)
	id, _ := a["id"].(string)
	if id == "" || r.Header.Get("Location") != "/api/v1/articles/"+id {
		t.Fatalf("create: id %q Location %q", id, r.Header.Get("Location"))
	}
	checks := map[string]any{"slug": "lifecycle", "url": "https://news.example.com/lifecycle", "published_at": "2026-05-01T08:00:00Z", "language": "en-GB"}
	for k, want := range checks {
		if a[k] != want {
			t.Errorf("created %s=%v, want %v", k, a[k], want)
		}
	}
	if a["updated_at"] == "" || a["updated_at"] == nil {
		t.Errorf("updated_at not set by the server")
	}

	got := s.api(t, http.MethodGet, "/api/v1/articles/"+id, nil)
	if got.Status != 200 || string(got.Body) != string(r.Body) {
		t.Errorf("get: status %d body %s, want the created article %s", got.Status, got.Body, r.Body)
	}

	// PATCH changes only what it names; null resets a field.
	p := s.api(t, http.MethodPatch, "/api/v1/articles/"+id, `{"summary":"second","image":null}`)
	var patched map[string]any
	mustUnmarshal(t, p.Body, &patched)
	if p.Status != 200 || patched["summary"] != "second" || patched["image"] != "" || patched["title"] != "Lifecycle" {
		t.Errorf("patch: status %d, body %s", p.Status, p.Body)
	}

	// PUT replaces the whole article.
	put := s.api(t, http.MethodPut, "/api/v1/articles/"+id, map[string]any{"title": "Replaced", "slug": "lifecycle"})
	var replaced map[string]any
	mustUnmarshal(t, put.Body, &replaced)
	if put.Status != 200 || replaced["title"] != "Replaced" || replaced["summary"] != "" || len(replaced["categories"].([]any)) != 0 {
		t.Errorf("put: status %d, body %s", put.Status, put.Body)
	}

	list := s.api(t, http.MethodGet, "/api/v1/articles?page=1&per_page=10", nil)
	var page struct {
		Articles []map[string]any `json:"articles"`
		Total    int              `json:"total"`
	}
	mustUnmarshal(t, list.Body, &page)
	if list.Status != 200 || page.Total != 1 || len(page.Articles) != 1 {
		t.Errorf("list: status %d body %s", list.Status, list.Body)
	}

	if d := s.api(t, http.MethodDelete, "/api/v1/articles/"+id, nil); d.Status != http.StatusNoContent {
		t.Errorf("delete: status %d", d.Status)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete, http.MethodPut, http.MethodPatch} {
		body := any(nil)
		if m == http.MethodPut || m == http.MethodPatch {
			body = map[string]any{"title": "x"}
		}
		if r := s.api(t, m, "/api/v1/articles/"+id, body); r.Status != http.StatusNotFound {
			t.Errorf("%s after delete: status %d, want 404", m, r.Status)
		} else {
			decodeError(t, r)
		}
	}
}

func TestBadInputIsRejectedAndLosesNothing(t *testing.T) {
	s := startHerald(t, "", "-api.max-body-bytes", "4096")
	s.create(t, map[string]any{"title": "Taken", "slug": "taken"})
	before := s.get(t, "/feed.rss")

	tests := []struct {
		name   string
		body   string
		status int
		code   string
		field  string
	}{
		{"missing title", `{"summary":"no title"}`, 422, "invalid", "title"},
		{"malformed url", `{"title":"x","url":"not a url"}`, 422, "invalid", "url"},
		{"relative url", `{"title":"x","url":"/x"}`, 422, "invalid", "url"},
		{"bad date", `{"title":"x","published_at":"yesterday"}`, 422, "invalid", "published_at"},
		{"date without zone", `{"title":"x","published_at":"2026-01-01T10:00:00"}`, 422, "invalid", "published_at"},
		{"unknown field", `{"title":"x","colour":"red"}`, 400, "bad_request", "colour"},
		{"wrong type", `{"title":42}`, 400, "bad_request", "title"},
		{"wrong type in list", `{"title":"x","tags":"go"}`, 400, "bad_request", "tags"},
		{"wrong type in author", `{"title":"x","authors":[{"name":1}]}`, 400, "bad_request", "authors[0].name"},
		{"unknown author field", `{"title":"x","authors":[{"name":"A","nick":"a"}]}`, 400, "bad_request", "authors[0].nick"},
		{"bad enclosure", `{"title":"x","enclosures":[{"url":"https://e.com/a.mp3","type":"","length":1}]}`, 422, "invalid", "enclosures[0].type"},
		{"bad author email", `{"title":"x","authors":[{"name":"A","email":"nope"}]}`, 422, "invalid", "authors[0].email"},
		{"malformed json", `{"title":`, 400, "bad_request", ""},
		{"not an object", `["title"]`, 400, "bad_request", ""},
		{"null", `null`, 400, "bad_request", ""},
		{"trailing data", `{"title":"x"} {"title":"y"}`, 400, "bad_request", ""},
		{"empty body", ``, 400, "bad_request", ""},
		{"invalid utf-8", "{\"title\":\"\xff\xfe\"}", 400, "bad_request", ""},
		{"slug conflict", `{"title":"Another","slug":"taken"}`, 409, "conflict", "slug"},
		{"derived slug conflict", `{"title":"Taken"}`, 409, "conflict", "slug"},
		{"server-assigned id", `{"title":"x","id":"abc"}`, 422, "invalid", "id"},
		{"body too large", `{"title":"` + strings.Repeat("x", 5000) + `"}`, 413, "too_large", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.api(t, http.MethodPost, "/api/v1/articles", tt.body)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type=%q, want JSON", ct)
			}
			e := decodeError(t, r)
			if e.Error.Code != tt.code || e.Error.Field != tt.field {
				t.Errorf("error %+v, want code %q field %q", e.Error, tt.code, tt.field)
			}
		})
	}
	for _, ct := range []string{"application/json; charset=latin1", `application/json;charset="ISO-8859-1"`} {
		if r := s.do(t, http.MethodPost, "/api/v1/articles", []byte(`{"title":"x"}`), "Authorization: Bearer "+testToken, "Content-Type: "+ct); r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("JSON labelled %q: status %d, want 415", ct, r.Status)
		}
	}
	if r := s.do(t, http.MethodPost, "/api/v1/articles", []byte(`title=x`), "Authorization: Bearer "+testToken, "Content-Type: application/x-www-form-urlencoded"); r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("form body: status %d, want 415", r.Status)
	}
	// Nothing was written: one article, same feed bytes and validators.
	var page struct{ Total int }
	mustUnmarshal(t, s.api(t, http.MethodGet, "/api/v1/articles", nil).Body, &page)
	if page.Total != 1 {
		t.Errorf("articles after rejected writes=%d, want 1", page.Total)
	}
	after := s.get(t, "/feed.rss")
	if after.Header.Get("ETag") != before.Header.Get("ETag") || string(after.Body) != string(before.Body) {
		t.Errorf("the feed changed after rejected writes")
	}
	// A rejected update leaves the article as it was.
	var list struct {
		Articles []map[string]any `json:"articles"`
	}
	mustUnmarshal(t, s.api(t, http.MethodGet, "/api/v1/articles", nil).Body, &list)
	id := list.Articles[0]["id"].(string)
	if r := s.api(t, http.MethodPatch, "/api/v1/articles/"+id, `{"title":""}`); r.Status != 422 {
		t.Errorf("patch with empty title: status %d, want 422", r.Status)
	}
	if r := s.api(t, http.MethodPut, "/api/v1/articles/"+id, `{"title":"x","url":"ftp://x"}`); r.Status != 422 {
		t.Errorf("put with ftp url: status %d, want 422", r.Status)
	}
	var again map[string]any
	mustUnmarshal(t, s.api(t, http.MethodGet, "/api/v1/articles/"+id, nil).Body, &again)
	if again["title"] != "Taken" {
		t.Errorf("title after rejected updates=%v, want Taken", again["title"])
	}
	for _, q := range []string{"page=0", "per_page=0", "per_page=1000", "page=x"} {
		if r := s.api(t, http.MethodGet, "/api/v1/articles?"+q, nil); r.Status != 400 {
			t.Errorf("list ?%s: status %d, want 400", q, r.Status)
		}
	}
	// JSON labelled as UTF-8, which it must be, is taken.
	if r := s.do(t, http.MethodPost, "/api/v1/articles", []byte(`{"title":"Labelled UTF-8"}`), "Authorization: Bearer "+testToken, "Content-Type: application/json; charset=UTF-8"); r.Status != http.StatusCreated {
		t.Errorf("JSON labelled charset=UTF-8: status %d, want 201", r.Status)
	}
}

func TestAPIAuth(t *testing.T) {
	s := startHerald(t, "")
	body := []byte(`{"title":"x"}`)
	tests := []struct {
		name    string
		header  string
		status  int
		invalid bool // the challenge says error="invalid_token" (RFC 6750, 3.1)
	}{
		{"no header", "", 401, false},
		{"wrong token", "Authorization: Bearer nope", 401, true},
		{"basic scheme", "Authorization: Basic " + testToken, 401, false},
		{"token prefix", "Authorization: Bearer " + testToken[:5], 401, true},
	}
	for _, tt := range tests {
		var h []string
		if tt.header != "" {
			h = append(h, tt.header)
		}
		r := s.do(t, http.MethodPost, "/api/v1/articles", body, append(h, "Content-Type: application/json")...)
		if r.Status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, r.Status, tt.status)
		}
		if ch := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, `Bearer realm="herald"`) || strings.Contains(ch, `error="invalid_token"`) != tt.invalid {
			t.Errorf("%s: WWW-Authenticate %q", tt.name, ch)
		}
	}

	// Without a configured token the API is off, and feeds keep working.
	dir := t.TempDir()
	cfgArgs := []string{"-addr", "127.0.0.1:0", "-database-url", "sqlite:" + dir + "/h.db"}
	off := startHeraldEnv(t, cfgArgs, nil)
	r := off.do(t, http.MethodPost, "/api/v1/articles", body, "Authorization: Bearer anything", "Content-Type: application/json")
	if r.Status != http.StatusForbidden {
		t.Fatalf("API without a token: status %d, want 403", r.Status)
	}
	if e := decodeError(t, r); !strings.Contains(e.Error.Message, "HERALD_API_TOKEN") {
		t.Errorf("message %q should say how to turn the API on", e.Error.Message)
	}
	if f := off.get(t, "/feed.json"); f.Status != 200 || !json.Valid(f.Body) {
		t.Errorf("feed with the API off: status %d", f.Status)
	}
}

func TestHealth(t *testing.T) {
	s := startHerald(t, "")
	if r := s.get(t, "/healthz"); r.Status != 200 {
		t.Errorf("/healthz: %d", r.Status)
	}
	r := s.get(t, "/readyz")
	var ready struct {
		Status string `json:"status"`
		Store  string `json:"store"`
		Cache  struct{ Kind, State string }
	}
	mustUnmarshal(t, r.Body, &ready)
	if r.Status != 200 || ready.Status != "ok" || ready.Cache.Kind != "memory" {
		t.Errorf("/readyz: %d %s", r.Status, r.Body)
	}
	if r := s.get(t, "/nowhere"); r.Status != 404 {
		t.Errorf("/nowhere: %d", r.Status)
	} else {
		decodeError(t, r)
	}
}

// TestPatchKeepsDerivedFieldsDerived: values the server derived (the url
// from the slug, the transcript type from its URL) follow what they were
// derived from when a merge patch changes it, as they would had the whole
// article been sent; a value the client gave stays.
func TestPatchKeepsDerivedFieldsDerived(t *testing.T) {
	s := startHerald(t, "")
	patch := func(id, body string) map[string]any {
		t.Helper()
		r := s.do(t, http.MethodPatch, "/api/v1/articles/"+id, []byte(body), "Authorization: Bearer "+testToken, "Content-Type: application/merge-patch+json")
		if r.Status != http.StatusOK {
			t.Fatalf("PATCH %s: %d %s", body, r.Status, r.Body)
		}
		var a map[string]any
		mustUnmarshal(t, r.Body, &a)
		return a
	}
	a := s.create(t, map[string]any{"title": "Url follow", "transcript_url": "https://cdn.example.com/t.vtt"})
	id := a["id"].(string)
	if got := patch(id, `{"slug":"moved"}`); got["url"] != "https://news.example.com/moved" {
		t.Errorf("after a slug change the derived url is %v, want https://news.example.com/moved", got["url"])
	}
	if !strings.Contains(string(s.get(t, "/feed.rss").Body), "<link>https://news.example.com/moved</link>") {
		t.Error("the feed still links the old slug")
	}
	if got := patch(id, `{"transcript_url":"https://cdn.example.com/t.srt"}`); got["transcript_type"] != "application/x-subrip" {
		t.Errorf("after a transcript URL change the derived type is %v, want application/x-subrip", got["transcript_type"])
	}
	if got := patch(id, `{"transcript_url":null}`); got["transcript_url"] != "" || got["transcript_type"] != "" {
		t.Errorf("removing the transcript left %v / %v", got["transcript_url"], got["transcript_type"])
	}

	// Given by the client, they stay.
	b := s.create(t, map[string]any{"title": "Own url", "url": "https://blog.example.org/own",
		"transcript_url": "https://cdn.example.com/t.vtt", "transcript_type": "text/plain"})
	id = b["id"].(string)
	got := patch(id, `{"slug":"own-moved","transcript_url":"https://cdn.example.com/t2.vtt"}`)
	if got["url"] != "https://blog.example.org/own" || got["transcript_type"] != "text/plain" {
		t.Errorf("given values changed: url %v, transcript_type %v", got["url"], got["transcript_type"])
	}
	// A patch that names the derived field decides it.
	if got := patch(id, `{"slug":"own-again","url":null}`); got["url"] != "https://news.example.com/own-again" {
		t.Errorf("url null with a new slug: %v", got["url"])
	}
	if got := patch(id, `{"transcript_url":"https://cdn.example.com/t3.srt","transcript_type":"text/srt"}`); got["transcript_type"] != "text/srt" {
		t.Errorf("a named transcript_type: %v", got["transcript_type"])
	}
}

// TestPutWithoutDateKeepsIt: a PUT whose document leaves published_at out
// keeps the article's date, as a re-import does, so sending the same
// document again writes nothing (same ETag, same feed) instead of moving
// the article to the top of every feed each time.
func TestPutWithoutDateKeepsIt(t *testing.T) {
	s := startHerald(t, "")
	a := s.create(t, map[string]any{"title": "Synced", "published_at": "2026-01-02T03:04:05Z"})
	id := a["id"].(string)
	doc := map[string]any{"title": "Synced", "summary": "from the CMS"}
	first := s.api(t, http.MethodPut, "/api/v1/articles/"+id, doc)
	var got map[string]any
	mustUnmarshal(t, first.Body, &got)
	if first.Status != 200 || got["published_at"] != "2026-01-02T03:04:05Z" {
		t.Fatalf("put without a date: status %d, published_at %v; want the stored date kept", first.Status, got["published_at"])
	}
	afterThisSecond()
	again := s.api(t, http.MethodPut, "/api/v1/articles/"+id, doc)
	if again.Status != 200 || again.Header.Get("ETag") != first.Header.Get("ETag") {
		t.Errorf("the same document again: status %d, ETag %q then %q; want it unchanged", again.Status, first.Header.Get("ETag"), again.Header.Get("ETag"))
	}
	if r := s.api(t, http.MethodPut, "/api/v1/articles/00000000-0000-4000-8000-000000000000", doc); r.Status != 404 {
		t.Errorf("put of an unknown id without a date: status %d, want 404", r.Status)
	}
}

// TestPutWithoutSlugKeepsIt: a PUT that corrects a title but leaves slug
// out keeps the article at its address (its slug is its permalink, in
// every feed and on other sites); one that gives a slug moves it.
func TestPutWithoutSlugKeepsIt(t *testing.T) {
	s := startHerald(t, "")
	a := s.create(t, map[string]any{"title": "A tyop in the title"})
	id, slug := a["id"].(string), a["slug"].(string)
	if slug != "a-tyop-in-the-title" {
		t.Fatalf("created with slug %q", slug)
	}
	r := s.api(t, http.MethodPut, "/api/v1/articles/"+id, map[string]any{"title": "A typo in the title"})
	var got map[string]any
	mustUnmarshal(t, r.Body, &got)
	if r.Status != 200 || got["slug"] != slug || got["title"] != "A typo in the title" {
		t.Fatalf("PUT of a corrected title without slug: %d, slug %v title %v; want the slug kept", r.Status, got["slug"], got["title"])
	}
	if p := s.get(t, "/"+slug); p.Status != 200 {
		t.Errorf("the article's page at its kept address: %d", p.Status)
	}
	r = s.api(t, http.MethodPut, "/api/v1/articles/"+id, map[string]any{"title": "A typo in the title", "slug": "a-typo-in-the-title"})
	mustUnmarshal(t, r.Body, &got)
	if r.Status != 200 || got["slug"] != "a-typo-in-the-title" {
		t.Errorf("PUT naming a new slug: %d, slug %v", r.Status, got["slug"])
	}
}

// TestPatchNullDateResetsIt: in a PATCH, null resets published_at to its
// default, now, unlike a PUT that leaves it out (which keeps it).
func TestPatchNullDateResetsIt(t *testing.T) {
	s := startHerald(t, "")
	a := s.create(t, map[string]any{"title": "Redated", "published_at": "2026-01-02T03:04:05Z"})
	before := time.Now().UTC().Truncate(time.Second)
	p := s.api(t, http.MethodPatch, "/api/v1/articles/"+a["id"].(string), `{"published_at":null}`)
	var got map[string]any
	mustUnmarshal(t, p.Body, &got)
	when, err := time.Parse(time.RFC3339, fmt.Sprint(got["published_at"]))
	if p.Status != 200 || err != nil || when.Before(before) {
		t.Errorf("PATCH published_at null: status %d, published_at %v; want now", p.Status, got["published_at"])
	}
}
