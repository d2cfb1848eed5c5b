package render

import (
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestUpdatedNeverBeforePublished: an article last written before its
// publication date (written while scheduled, or moved to a later date)
// carries its publication date as updated in every format, so readers
// sorting by it file the article when it appeared, not when it was
// drafted; one edited after it appeared carries the edit's date.
func TestUpdatedNeverBeforePublished(t *testing.T) {
	published := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name          string
		updated, want time.Time
	}{
		{"written while scheduled", published.Add(-40 * 24 * time.Hour), published},
		{"edited after it appeared", published.Add(3 * time.Hour), published.Add(3 * time.Hour)},
	} {
		a := &herald.Article{ID: "2b1c1e8a-4d5b-4c3a-9e2f-1a2b3c4d5e6f", Slug: "drafted", Title: "Drafted",
			URL: "https://news.example.com/drafted", PublishedAt: published, UpdatedAt: tc.updated}
		ch := siteChannel(herald.FormatAtom)
		ch.Updated = tc.want
		stamp := tc.want.Format(time.RFC3339)
		for f, want := range map[herald.Format][2]string{
			herald.FormatAtom: {"<entry>", "<updated>" + stamp + "</updated>"},
			herald.FormatRSS:  {"<item>", "<atom:updated>" + stamp + "</atom:updated>"},
			herald.FormatJSON: {`"items"`, `"date_modified":"` + stamp + `"`},
		} {
			out := string(mustRender(t, f, ch, []*herald.Article{a.Clone()}))
			start, want := want[0], want[1]
			i := strings.Index(out, start)
			if i < 0 {
				t.Fatalf("%s: no %s in\n%s", f, start, out)
			}
			item := out[i:]
			if !strings.Contains(item, want) {
				t.Errorf("%s, %s: the item lacks %s:\n%s", tc.name, f, want, item)
			}
			if early := tc.updated.Format(time.RFC3339); tc.updated.Before(published) && strings.Contains(out, early) {
				t.Errorf("%s, %s: the drafting date %s is published", tc.name, f, early)
			}
		}
	}
}
