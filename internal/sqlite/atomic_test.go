package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/herald-feeds/herald/internal/herald"
)

// The conformance suite checks that a rejected slug leaves nothing written;
// that failure comes at the first statement. These tests make the last
// statement of each write fail instead, the scope bump, through a trigger,
// and check that the rows written before it were rolled back too.
func TestWritesAreAtomic(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := mustOpen(t, func() time.Time { return now })
	// Any write touching the tag "boom" fails when it bumps that scope.
	for _, ev := range []string{"INSERT", "UPDATE"} {
		q := fmt.Sprintf(`CREATE TRIGGER boom_%s BEFORE %s ON scopes WHEN NEW.key = 'tag:boom'
			BEGIN SELECT RAISE(ABORT, 'boom'); END`, ev, ev)
		if _, err := s.db.Exec(q); err != nil {
			t.Fatalf("trigger: %v", err)
		}
	}
	prepare := func(title string, tags ...string) *herald.Article {
		a := &herald.Article{ID: uuid.New().String(), Title: title, Tags: tags, Categories: []string{"Cat"},
			Authors:    []herald.Author{{Name: "Ann"}},
			Enclosures: []herald.Enclosure{{URL: "https://example.com/a.mp3", Type: "audio/mpeg", Length: 1}}}
		if err := a.Prepare("https://example.com", now, herald.Limits{}); err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		return a
	}
	counts := func() map[string]int {
		out := map[string]int{}
		for _, table := range []string{"articles", "article_authors", "article_terms", "article_enclosures", "article_scopes", "scopes"} {
			var n int
			if err := s.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
				t.Fatalf("count %s: %v", table, err)
			}
			out[table] = n
		}
		var rev int
		if err := s.db.QueryRow("SELECT coalesce(sum(revision), 0) FROM scopes").Scan(&rev); err != nil {
			t.Fatalf("sum revisions: %v", err)
		}
		out["revisions"] = rev
		return out
	}
	wantUnchanged := func(op string, before map[string]int) {
		t.Helper()
		if after := counts(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("%s left rows behind: %v, want %v", op, after, before)
		}
	}

	before := counts()
	err := s.CreateArticle(ctx, prepare("Exploding", "boom"))
	if err == nil || herald.ErrorCode(err) != herald.EInternal {
		t.Fatalf("CreateArticle: err=%v, want an internal error", err)
	}
	wantUnchanged("failed create", before)

	a := prepare("Fine", "calm")
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	before = counts()
	next := a.Clone()
	next.Tags = []string{"boom"}
	next.Title = "Changed"
	if _, err := s.ReplaceArticle(ctx, next); err == nil {
		t.Fatal("ReplaceArticle into tag boom succeeded, want an error")
	}
	wantUnchanged("failed replace", before)
	if got, err := s.Article(ctx, a.ID); err != nil || got.Title != "Fine" {
		t.Fatalf("after failed replace: title=%v err=%v, want %q", got, err, "Fine")
	}

	// Let the tag in, then make its deletion fail on the bump.
	if _, err := s.db.Exec("DROP TRIGGER boom_INSERT"); err != nil {
		t.Fatalf("drop trigger: %v", err)
	}
	b := prepare("Doomed", "boom")
	if err := s.CreateArticle(ctx, b); err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	before = counts()
	if _, err := s.DeleteArticle(ctx, b.ID); err == nil {
		t.Fatal("DeleteArticle in tag boom succeeded, want an error")
	}
	wantUnchanged("failed delete", before)
}
