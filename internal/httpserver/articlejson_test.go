package httpserver

import (
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// prepareBody runs a write's input path on body, decoding, date parsing
// and validation, and returns its first error.
func prepareBody(t *testing.T, body string) (*herald.Article, error) {
	t.Helper()
	var in articleInput
	if err := decodeStrict([]byte(body), &in); err != nil {
		return nil, err
	}
	a, err := in.article()
	if err != nil {
		return nil, err
	}
	return a, a.Prepare("https://example.com", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), herald.Limits{})
}

// TestArticleJSONFieldPaths: every refusal names the value at fault with
// its list position, whatever the kind of mistake.
func TestArticleJSONFieldPaths(t *testing.T) {
	enc := func(length string) string {
		return `{"title":"x","enclosures":[{"url":"https://e.com/a.mp3","type":"audio/mpeg","length":1},` +
			`{"url":"https://e.com/b.mp3","type":"audio/mpeg","length":` + length + `}]}`
	}
	for _, tt := range []struct {
		name, body string
		code       herald.Code
		field      string
	}{
		{"length past int64", enc("99999999999999999999"), herald.EBadRequest, "enclosures[1].length"},
		{"length past float64", enc("1e400"), herald.EBadRequest, "enclosures[1].length"},
		{"length past float64, negative", enc("-1e400"), herald.EBadRequest, "enclosures[1].length"},
		{"fractional length", enc("1.5"), herald.EBadRequest, "enclosures[1].length"},
		{"unknown member after a huge number", `{"title":"x","episode":1e400,"colour":"red"}`, herald.EBadRequest, "colour"},
		{"empty category", `{"title":"x","categories":[""]}`, herald.EInvalid, "categories[0]"},
		{"null tag", `{"title":"x","tags":["go",null]}`, herald.EInvalid, "tags[1]"},
		{"blank tag", `{"title":"x","tags":[" "]}`, herald.EInvalid, "tags[0]"},
		{"null author", `{"title":"x","authors":[null]}`, herald.EInvalid, "authors[0].name"},
		{"author with an empty name", `{"title":"x","authors":[{"name":""}]}`, herald.EInvalid, "authors[0].name"},
		{"long cjk slug", `{"title":"x","slug":"` + strings.Repeat("\u8a9e", 400) + `"}`, herald.EInvalid, "slug"},
		{"year 0000", `{"title":"x","published_at":"0000-01-01T00:00:00Z"}`, herald.EInvalid, "published_at"},
		{"year 0999", `{"title":"x","published_at":"0999-12-31T23:59:59Z"}`, herald.EInvalid, "published_at"},
		{"year 0001, the zero time", `{"title":"x","published_at":"0001-01-01T00:00:00Z"}`, herald.EInvalid, "published_at"},
		{"year 10000 in UTC", `{"title":"x","published_at":"9999-12-31T23:00:00-05:00"}`, herald.EInvalid, "published_at"},
		{"updated_at in year 0000", `{"title":"x","updated_at":"0000-01-01T00:00:00Z"}`, herald.EInvalid, "updated_at"},
		{"not a date", `{"title":"x","published_at":"yesterday"}`, herald.EInvalid, "published_at"},
		{"offset of 24 hours", `{"title":"x","published_at":"2026-02-01T12:30:00+24:00"}`, herald.EInvalid, "published_at"},
		{"offset of 60 minutes", `{"title":"x","updated_at":"2026-02-01T12:30:00-05:60"}`, herald.EInvalid, "updated_at"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := prepareBody(t, tt.body)
			if herald.ErrorCode(err) != tt.code || herald.ErrorField(err) != tt.field {
				t.Fatalf("err=%v (code %q, field %q), want %q on field %q", err, herald.ErrorCode(err), herald.ErrorField(err), tt.code, tt.field)
			}
		})
	}
}

// TestArticleJSONAccepts: bodies the audit found refused that are fine.
func TestArticleJSONAccepts(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		check      func(*herald.Article) string
	}{
		{"long cjk title", `{"title":"` + strings.Repeat("\u8a9e", 400) + `"}`, func(a *herald.Article) string {
			if len(a.URL) > herald.DefaultLimits.URLLength {
				return "url too long: " + a.URL
			}
			return ""
		}},
		{"lower-case t and z", `{"title":"x","published_at":"2026-01-01t00:00:00z","updated_at":"2026-01-01t00:00:00.5z"}`, func(a *herald.Article) string {
			if want := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
				return "published_at=" + a.PublishedAt.String()
			}
			return ""
		}},
		{"lower-case t with an offset", `{"title":"x","published_at":"2026-01-01t02:00:00+02:00"}`, func(a *herald.Article) string {
			if want := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
				return "published_at=" + a.PublishedAt.String()
			}
			return ""
		}},
		{"the widest offsets", `{"title":"x","published_at":"2026-01-01T23:59:00+23:59","updated_at":"2026-01-01T00:00:00-23:59"}`, func(a *herald.Article) string {
			if want := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
				return "published_at=" + a.PublishedAt.String()
			}
			return ""
		}},
		{"decomposed names", `{"title":"Cafe\u0301","categories":["Cafe\u0301","Caf\u00e9"],"tags":["Cafe\u0301"]}`, func(a *herald.Article) string {
			if a.Slug != "caf\u00e9" || len(a.Categories) != 1 || a.Categories[0] != "Caf\u00e9" || a.Tags[0] != "Caf\u00e9" {
				return "slug " + a.Slug + ", categories " + strings.Join(a.Categories, "|") + ", tags " + strings.Join(a.Tags, "|")
			}
			return ""
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := prepareBody(t, tt.body)
			if err != nil {
				t.Fatalf("err=%v (field %q), want accepted", err, herald.ErrorField(err))
			}
			if msg := tt.check(a); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}
