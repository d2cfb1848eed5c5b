package importer

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestParseJSON(t *testing.T) {
	t.Run("single object", func(t *testing.T) {
		a := mustParseOne(t, "one.json", `{
  "id": "abc", "slug": "hello", "title": "Hello", "url": "https://example.com/hello",
  "summary": "S", "content_html": "<p>Hi</p>",
  "authors": [{"name": "Ada", "email": "ada@example.com"}],
  "categories": ["News"], "tags": ["a", "b"], "language": "en", "image": "https://example.com/i.png",
  "enclosures": [{"url": "https://example.com/e.mp3", "type": "audio/mpeg", "length": 5, "duration": 60}],
  "published_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-03"
}`)
		if a.ID != "abc" || a.Slug != "hello" || a.Title != "Hello" || a.ContentHTML != "<p>Hi</p>" {
			t.Errorf("got id=%q slug=%q title=%q content=%q", a.ID, a.Slug, a.Title, a.ContentHTML)
		}
		if len(a.Authors) != 1 || a.Authors[0] != (herald.Author{Name: "Ada", Email: "ada@example.com"}) {
			t.Errorf("authors=%+v", a.Authors)
		}
		if len(a.Enclosures) != 1 || a.Enclosures[0].Duration != 60 || a.Enclosures[0].Length != 5 {
			t.Errorf("enclosures=%+v", a.Enclosures)
		}
		if want := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC); !a.PublishedAt.Equal(want) {
			t.Errorf("published_at=%v, want %v", a.PublishedAt, want)
		}
		if want := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC); !a.UpdatedAt.Equal(want) {
			t.Errorf("updated_at=%v, want %v", a.UpdatedAt, want)
		}
	})
	t.Run("array", func(t *testing.T) {
		got := mustParse(t, "many.json", ` [ {"title": "A", "slug": "a"}, {"title": "B"} ] `)
		if len(got) != 2 || got[0].Title != "A" || got[0].Slug != "a" || got[1].Title != "B" || got[1].Slug != "" {
			t.Fatalf("got %d articles %+v", len(got), got)
		}
	})
	t.Run("empty array", func(t *testing.T) {
		if got := mustParse(t, "none.json", `[]`); len(got) != 0 {
			t.Fatalf("got %d articles, want 0", len(got))
		}
	})
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantLine  int
		wantField string
		wantText  string
	}{
		{"unknown field", `{"title": "A", "titel": "B"}`, 0, "titel", "unknown field"},
		// The message lists every field an article has, podcast ones too.
		{"unknown field lists the fields", `{"episod": 1}`, 0, "episod", "id, slug, title, url, summary, content_html, authors, categories, tags, language, image, enclosures, published_at, updated_at, episode, season, episode_type, transcript_url, transcript_type, chapters_url)"},
		{"unknown field in array", "[\n{\"title\": \"A\"},\n{\"title\": \"B\", \"tag\": []}\n]", 0, "[1].tag", "unknown field"},
		{"wrong type", "{\n\"title\": \"A\",\n\"tags\": \"x\"\n}", 3, "tags", "string"},
		{"wrong type in array", "[\n{\"title\": \"A\"},\n{\n\"title\": 7\n}\n]", 4, "[1].title", "number"},
		{"bad date", `[{"title": "A", "published_at": "yesterday"}]`, 0, "[0].published_at", "RFC 3339"},
		{"syntax", "{\n\"title\": \"A\",,\n}", 2, "", "invalid JSON"},
		{"truncated", `{"title": "A"`, 0, "", "ends in the middle"},
		{"trailing data", `{"title": "A"} {}`, 0, "", "after the JSON value"},
		{"array of non-objects", `["a"]`, 1, "[0]", "expected an article object"},
		{"empty", "  \n", 0, "", "empty"},
		// As strict as the API: encoding/json alone would take each of
		// these without a word.
		{"field in another case", `{"Title": "Mixed"}`, 0, "Title", "lower case"},
		{"field given twice", `{"title": "A", "title": "B"}`, 0, "title", "more than once"},
		{"unknown field of an enclosure", `{"title": "A", "enclosures": [{"url": "https://e.com/a.mp3", "type": "audio/mpeg", "Duration": 3}]}`, 0, "enclosures[0].Duration", "lower case"},
		{"the zero date", `{"title": "A", "published_at": "0001-01-01T00:00:00Z"}`, 0, "published_at", "years 1000 to 9999"},
		{"a year before 1000", `[{"title": "A", "updated_at": "0999-12-31"}]`, 0, "[0].updated_at", "years 1000 to 9999"},
		{"an offset of 24 hours", `{"title": "A", "published_at": "2026-02-01T12:30:00+24:00"}`, 0, "published_at", "RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := mustParseError(t, "data.json", tt.in)
			if pe.Line != tt.wantLine || pe.Field != tt.wantField || !strings.Contains(pe.Error(), tt.wantText) {
				t.Fatalf("got line=%d field=%q %q, want line=%d field=%q containing %q", pe.Line, pe.Field, pe.Error(), tt.wantLine, tt.wantField, tt.wantText)
			}
		})
	}
}

// TestParseJSONArrayElementFailsAlone: in an array, the elements that do
// not decode are reported by index and the others are returned in place.
func TestParseJSONArrayElementFailsAlone(t *testing.T) {
	in := "[\n{\"title\": \"A\"},\n{\"title\": \"B\", \"published_at\": \"soon\"},\n{\"title\": \"C\", \"tgas\": []},\n{\"title\": \"D\"}\n]"
	arts, err := ParseFile("data.json", []byte(in))
	var failed ArticleErrors
	if !errors.As(err, &failed) || len(failed) != 2 || failed[0].Index != 1 || failed[1].Index != 2 {
		t.Fatalf("err = %v, want ArticleErrors for elements 1 and 2", err)
	}
	var pe *ParseError
	if !errors.As(failed[0].Err, &pe) || pe.Field != "[1].published_at" {
		t.Errorf("element 1: %v, want a ParseError on [1].published_at", failed[0].Err)
	}
	if len(arts) != 4 || arts[0] == nil || arts[0].Title != "A" || arts[1] != nil || arts[2] != nil || arts[3] == nil || arts[3].Title != "D" {
		t.Fatalf("articles %v, want A, nil, nil, D", arts)
	}
}

// TestJSONArrayElementFailsAlone: a mis-cased member in one element of an
// array fails that element only; the others are imported.
func TestJSONArrayElementFailsAlone(t *testing.T) {
	got, err := parseJSON("f.json", []byte(`[{"title":"a","slug":"a"},{"title":"b","slug":"b","Title":"x"}]`))
	var failed ArticleErrors
	if !errors.As(err, &failed) || len(failed) != 1 || failed[0].Index != 1 || got[0] == nil || got[0].Slug != "a" {
		t.Fatalf("got %v, err %v; want article a and element 1 failed alone", got, err)
	}
}
