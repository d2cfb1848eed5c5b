package herald

import (
	"strings"
	"testing"
	"time"
)

func TestPrepareEnforcesConfiguredLimits(t *testing.T) {
	lim := Limits{TitleLength: 10, TextLength: 5, ContentLength: 8, NameLength: 4, URLLength: 30, Authors: 1, Categories: 2, Tags: 1, Enclosures: 1}
	enc := Enclosure{URL: "https://e.com/a.mp3", Type: "audio/mpeg"}
	tests := []struct {
		name  string
		a     Article
		field string
	}{
		{"title", Article{Title: strings.Repeat("t", 11)}, "title"},
		{"slug", Article{Title: "t", Slug: strings.Repeat("s", 11)}, "slug"},
		{"summary", Article{Title: "t", Summary: "ééééé!"}, "summary"},
		{"content bytes", Article{Title: "t", ContentHTML: "<p>éé</p>"}, "content_html"},
		{"url", Article{Title: "t", URL: "https://example.com/" + strings.Repeat("u", 20)}, "url"},
		{"image", Article{Title: "t", Image: "https://example.com/" + strings.Repeat("i", 20)}, "image"},
		{"category name", Article{Title: "t", Categories: []string{"Go", "Rusty"}}, "categories[1]"},
		{"tag name", Article{Title: "t", Tags: []string{"lengthy"}}, "tags[0]"},
		{"author name", Article{Title: "t", Authors: []Author{{Name: "Alexandra"}}}, "authors[0].name"},
		{"author url", Article{Title: "t", Authors: []Author{{Name: "Al", URL: "https://example.com/" + strings.Repeat("a", 20)}}}, "authors[0].url"},
		{"enclosure url", Article{Title: "t", Enclosures: []Enclosure{{URL: "https://example.com/" + strings.Repeat("e", 20), Type: "audio/mpeg"}}}, "enclosures[0].url"},
		{"too many authors", Article{Title: "t", Authors: []Author{{Name: "A"}, {Name: "B"}}}, "authors"},
		{"too many categories", Article{Title: "t", Categories: []string{"a", "b", "c"}}, "categories"},
		{"too many tags", Article{Title: "t", Tags: []string{"a", "b"}}, "tags"},
		{"too many enclosures", Article{Title: "t", Enclosures: []Enclosure{enc, enc}}, "enclosures"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			err := a.Prepare("https://e.com", time.Now(), lim)
			if ErrorCode(err) != EInvalid || ErrorField(err) != tt.field {
				t.Fatalf("Prepare err=%v (field %q), want EInvalid on field %q", err, ErrorField(err), tt.field)
			}
		})
	}
	// Repeated names (by slug) are dropped before they are counted.
	ok := Article{Title: "Tiny", Summary: "short", Categories: []string{"Go", "Web", "go", "GO", "Web"}, Tags: []string{"rss", "RSS", "Rss"},
		Authors: []Author{{Name: "Ada"}}, Enclosures: []Enclosure{enc}}
	if err := ok.Prepare("https://e.com", time.Now(), lim); err != nil {
		t.Fatalf("article at the limits: %v, want accepted", err)
	}
	if len(ok.Categories) != 2 || len(ok.Tags) != 1 {
		t.Fatalf("categories %q, tags %q; want the repeats dropped", ok.Categories, ok.Tags)
	}
}

func TestLimitsDefaultPerField(t *testing.T) {
	got := Limits{Tags: 3, ListLength: 7}.WithDefaults()
	if got.Tags != 3 || got.Authors != 7 || got.TitleLength != DefaultLimits.TitleLength || got.URLLength != DefaultLimits.URLLength {
		t.Fatalf("WithDefaults()=%+v, want tags 3, authors from ListLength 7, the rest from DefaultLimits", got)
	}
}
