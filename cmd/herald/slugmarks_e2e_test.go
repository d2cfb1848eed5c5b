package main

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// TestSlugsKeepCombiningMarks: a Hindi category's feed is at the slug
// with its vowel signs and virama, not at the consonants alone, and a
// slug of the client's own with marks is taken rather than refused.
func TestSlugsKeepCombiningMarks(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "पहली खबर", "slug": "हिन्दी", "categories": []string{"हिन्दी समाचार"}, "tags": []string{"किम"}})
	s.create(t, map[string]any{"title": "दूसरी खबर", "categories": []string{"हिन्दी समाचार"}, "tags": []string{"कुम"}})

	feed := "/categories/" + url.PathEscape("हिन्दी-समाचार") + "/feed.rss"
	if r := s.get(t, feed); !feedHas(r, "पहली खबर") || !feedHas(r, "दूसरी खबर") {
		t.Errorf("GET %s: %d, want both articles", feed, r.Status)
	}
	if r := s.get(t, "/tags/"+url.PathEscape("किम")+"/feed.rss"); !feedHas(r, "पहली खबर") || feedHas(r, "दूसरी खबर") {
		t.Errorf("tag किम: %d, want the first article alone", r.Status)
	}
	if r := s.get(t, "/categories/"+url.PathEscape("ह-न-द-सम-च-र")+"/feed.rss"); r.Status != http.StatusNotFound {
		t.Errorf("the slug without marks: %d, want 404", r.Status)
	}
	if r := s.get(t, "/"+url.PathEscape("हिन्दी")); r.Status != http.StatusOK {
		t.Errorf("the article at its own slug: %d, want 200", r.Status)
	}
}

// TestSlugsOfAnOlderBuildMove: a database an older build wrote (category
// slugs without marks) is rewritten as the server opens it: the feed is
// at the new slug, the old one is gone, and a new article of the same
// category joins the old ones.
func TestSlugsOfAnOlderBuildMove(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &herald.Article{ID: "00000000-0000-4000-8000-00000000aa01", Title: "पुरानी खबर", Categories: []string{"हिन्दी"},
		PublishedAt: time.Now().Add(-time.Hour)}
	if err := a.Prepare("https://news.example.com", time.Now(), herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// As the older build stored it, its rewrite not yet run.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE article_terms SET slug = 'ह-न-द'",
		"UPDATE article_scopes SET scope_key = 'category:ह-न-द' WHERE scope_key = 'category:हिन्दी'",
		"UPDATE data_rewrites SET done_at = NULL",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s := startHerald(t, path)
	feed := "/categories/" + url.PathEscape("हिन्दी") + "/feed.atom"
	if r := s.get(t, feed); !feedHas(r, "पुरानी खबर") {
		t.Fatalf("GET %s after the upgrade: %d, want the old article", feed, r.Status)
	}
	if r := s.get(t, "/categories/"+url.PathEscape("ह-न-द")+"/feed.atom"); r.Status != http.StatusNotFound {
		t.Errorf("the old slug after the upgrade: %d, want 404", r.Status)
	}
	s.create(t, map[string]any{"title": "नई खबर", "categories": []string{"हिन्दी"}})
	if r := s.get(t, feed); !feedHas(r, "पुरानी खबर") || !feedHas(r, "नई खबर") {
		t.Errorf("GET %s after a new write: %d, want both articles", feed, r.Status)
	}
}
