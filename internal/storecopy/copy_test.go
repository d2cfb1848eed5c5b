package storecopy

import (
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestSame(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	base := &herald.Article{
		ID: "a", Slug: "s", Title: "T", PublishedAt: at, UpdatedAt: at,
		Authors: []herald.Author{{Name: "Ann"}}, Categories: []string{"Go"},
	}
	tests := []struct {
		name string
		edit func(*herald.Article)
		same bool
	}{
		{"identical", func(*herald.Article) {}, true},
		{"same instant in another zone", func(a *herald.Article) { a.PublishedAt = at.In(time.FixedZone("X", 3600)) }, true},
		{"empty list vs nil", func(a *herald.Article) { a.Tags = []string{} }, true},
		{"title", func(a *herald.Article) { a.Title = "U" }, false},
		{"updated_at", func(a *herald.Article) { a.UpdatedAt = at.Add(time.Second) }, false},
		{"published_at", func(a *herald.Article) { a.PublishedAt = at.Add(-time.Second) }, false},
		{"category order", func(a *herald.Article) { a.Categories = []string{"Go", "Rust"} }, false},
		{"author email", func(a *herald.Article) { a.Authors = []herald.Author{{Name: "Ann", Email: "a@example.com"}} }, false},
		{"enclosure", func(a *herald.Article) { a.Enclosures = []herald.Enclosure{{URL: "u", Type: "audio/mpeg"}} }, false},
	}
	for _, tc := range tests {
		b := base.Clone()
		tc.edit(b)
		if got := Same(base, b); got != tc.same {
			t.Fatalf("Same(%s)=%v, want %v", tc.name, got, tc.same)
		}
	}
}
