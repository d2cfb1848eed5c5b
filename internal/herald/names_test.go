package herald

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestPrepareNormalisesNames: a name typed on a system that decomposes
// accents (macOS gives "Cafe" + U+0301) and the same name precomposed are
// one scope with one slug, and are stored in the precomposed form.
func TestPrepareNormalisesNames(t *testing.T) {
	const nfc, nfd = "Caf\u00e9", "Cafe\u0301"
	a := &Article{
		Title:      nfd + " au lait",
		Categories: []string{nfd, nfc},
		Tags:       []string{nfd},
		Authors:    []Author{{Name: "Jos\u0065\u0301"}},
	}
	if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if a.Title != nfc+" au lait" {
		t.Errorf("title=%q, want it precomposed %q", a.Title, nfc+" au lait")
	}
	if a.Slug != "caf\u00e9-au-lait" {
		t.Errorf("slug=%q, want %q", a.Slug, "caf\u00e9-au-lait")
	}
	if len(a.Categories) != 1 || a.Categories[0] != nfc {
		t.Errorf("categories=%q, want [%q]: both spellings are one category", a.Categories, nfc)
	}
	if len(a.Tags) != 1 || a.Tags[0] != nfc {
		t.Errorf("tags=%q, want [%q]", a.Tags, nfc)
	}
	if a.Authors[0].Name != "Jos\u00e9" {
		t.Errorf("author=%q, want %q", a.Authors[0].Name, "Jos\u00e9")
	}
	want := []string{"site", "category:caf\u00e9", "tag:caf\u00e9", "author:jos\u00e9"}
	if got := a.ScopeKeys(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("scopes=%q, want %q", got, want)
	}
}

// TestPrepareAcceptsDecomposedSlug: a slug the client gives decomposed is
// the same slug as its precomposed form, and is stored precomposed.
func TestPrepareAcceptsDecomposedSlug(t *testing.T) {
	a := &Article{Title: "x", Slug: "cafe\u0301-1"}
	if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if a.Slug != "caf\u00e9-1" {
		t.Errorf("slug=%q, want %q", a.Slug, "caf\u00e9-1")
	}
}

// TestSlugsOfNormalisedNames: the slugs Prepare and TitleSlug give are
// those of the names in NFC, however they were typed; Slugify alone keeps
// a decomposed name's slug as it was (the one an older build filed it
// under).
func TestSlugsOfNormalisedNames(t *testing.T) {
	for _, in := range []string{"Caf\u00e9", "Cafe\u0301", "CAFE\u0301", "cafe\u0301"} {
		if got := TitleSlug(in); got != "caf\u00e9" {
			t.Errorf("TitleSlug(%q)=%q, want %q", in, got, "caf\u00e9")
		}
		a := Article{Title: "x", Categories: []string{in}}
		if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
			t.Fatal(err)
		}
		if sc := a.Scopes(); len(sc) != 2 || sc[1].Slug != "caf\u00e9" {
			t.Errorf("scopes of category %q: %v, want category:caf\u00e9", in, sc)
		}
	}
	// Hangul typed as separate jamo is the syllable.
	if got, want := TitleSlug("\u1112\u1161\u11ab"), "\ud55c"; got != want {
		t.Errorf("TitleSlug(jamo)=%q, want %q", got, want)
	}
	if got := Slugify("Cafe\u0301"); got != "cafe" {
		t.Errorf("Slugify of a decomposed name=%q, want the slug it always had, %q", got, "cafe")
	}
}

// FuzzSlugify: a slug is its own slug, so that a feed URL built from it
// finds its scope again.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Cafe\u0301", "\u1112\u1161\u11ab", "İstanbul", "ΣΑΣ", "a\u0301\u0302b", "Å", "x\xffy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug := Slugify(s)
		if again := Slugify(slug); again != slug {
			t.Fatalf("Slugify(%q)=%q, but Slugify(%q)=%q", s, slug, slug, again)
		}
		if utf8.ValidString(s) && strings.Contains(slug, "--") {
			t.Fatalf("Slugify(%q)=%q holds a double hyphen", s, slug)
		}
	})
}

// TestPrepareRefusesEmptyNames: an empty category, tag or author name is
// a mistake to report, not a value to drop quietly.
func TestPrepareRefusesEmptyNames(t *testing.T) {
	for _, tt := range []struct {
		name  string
		a     Article
		field string
	}{
		{"empty category", Article{Title: "x", Categories: []string{""}}, "categories[0]"},
		{"blank category after one", Article{Title: "x", Categories: []string{"Go", "  "}}, "categories[1]"},
		{"empty tag", Article{Title: "x", Tags: []string{"go", ""}}, "tags[1]"},
		{"tag of unfit characters only", Article{Title: "x", Tags: []string{"\x01"}}, "tags[0]"},
		{"author without a name", Article{Title: "x", Authors: []Author{{Name: " "}}}, "authors[0].name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			err := a.Prepare("https://example.com", time.Now(), Limits{})
			if ErrorCode(err) != EInvalid || ErrorField(err) != tt.field {
				t.Fatalf("Prepare err=%v (field %q), want EInvalid on field %q", err, ErrorField(err), tt.field)
			}
			if !strings.Contains(ErrorMessage(err), "empty") && !strings.Contains(ErrorMessage(err), "required") {
				t.Errorf("message %q does not say the name is missing", ErrorMessage(err))
			}
		})
	}
}

// TestPrepareBoundsDerivedSlug: a long title well within its limit gets a
// slug short enough for its URL, cut between words when it has some.
func TestPrepareBoundsDerivedSlug(t *testing.T) {
	for _, tt := range []struct {
		name, title string
	}{
		{"cjk", strings.Repeat("\u8a9e", 400)},
		{"words", strings.Repeat("syndication ", 80)},
		{"four-byte letters", strings.Repeat("\U00020000", 400)},
		{"one long word", strings.Repeat("a", 999)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := &Article{Title: tt.title}
			if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
				t.Fatalf("Prepare: %v (field %q)", err, ErrorField(err))
			}
			if n := len(url.PathEscape(a.Slug)); n > MaxDerivedSlugBytes || n < MaxDerivedSlugBytes/2 {
				t.Errorf("slug is %d bytes escaped, want at most %d and not much less", n, MaxDerivedSlugBytes)
			}
			if a.Slug != TitleSlug(tt.title) {
				t.Errorf("slug=%q, want TitleSlug's %q", a.Slug, TitleSlug(tt.title))
			}
			if strings.HasSuffix(a.Slug, "-") || !strings.HasPrefix(Slugify(tt.title), a.Slug) {
				t.Errorf("slug=%q is not a clean start of %q", a.Slug, Slugify(tt.title))
			}
			if strings.Contains(tt.title, " ") && !strings.HasPrefix(Slugify(tt.title), a.Slug+"-") {
				t.Errorf("slug=%q is cut inside a word", a.Slug)
			}
		})
	}
}

// TestPrepareNamesSlugForLongURL: a slug the client gives that makes the
// derived URL too long is reported on slug, the field it sent.
func TestPrepareNamesSlugForLongURL(t *testing.T) {
	a := &Article{Title: "x", Slug: strings.Repeat("\u8a9e", 400)}
	err := a.Prepare("https://example.com", time.Now(), Limits{})
	if ErrorCode(err) != EInvalid || ErrorField(err) != "slug" {
		t.Fatalf("Prepare err=%v (field %q), want EInvalid on slug", err, ErrorField(err))
	}
	// With a URL of its own, the same slug is fine: no URL is derived.
	a = &Article{Title: "x", Slug: strings.Repeat("\u8a9e", 400), URL: "https://example.com/p/1"}
	if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare with a url: %v", err)
	}
}

// TestPrepareDateRange: dates whose year has four digits in every format
// and reads as that year everywhere are accepted; others are refused.
func TestPrepareDateRange(t *testing.T) {
	ok := []time.Time{
		time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	bad := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1000, 1, 1, 0, 30, 0, 0, time.FixedZone("+01:00", 3600)),      // 0999 in UTC
		time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("-05:00", -5*3600)), // 10000 in UTC
	}
	for _, at := range ok {
		a := &Article{Title: "x", PublishedAt: at}
		if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
			t.Errorf("published_at %v: %v, want accepted", at, err)
		}
	}
	for _, at := range bad {
		a := &Article{Title: "x", PublishedAt: at}
		err := a.Prepare("https://example.com", time.Now(), Limits{})
		if ErrorCode(err) != EInvalid || ErrorField(err) != "published_at" {
			t.Errorf("published_at %v: err=%v (field %q), want EInvalid on published_at", at, err, ErrorField(err))
		}
	}
}
