package herald

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestSlugifyKeepsCombiningMarks: vowel signs, viramas, tone marks and
// harakat are marks, not punctuation; they stay with the letter before
// them, so words of the scripts that write them are not cut apart.
func TestSlugifyKeepsCombiningMarks(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Hindi", "हिन्दी समाचार", "हिन्दी-समाचार"},
		{"Hindi, a nukta", "ज़िंदगी", "ज़िंदगी"},
		{"Bengali", "বাংলা খবর", "বাংলা-খবর"},
		{"Tamil", "தமிழ் செய்திகள்", "தமிழ்-செய்திகள்"},
		{"Thai", "ข่าวไทย วันนี้", "ข่าวไทย-วันนี้"},
		{"Arabic with harakat", "العَرَبِيَّة", "العَرَبِيَّة"},
		{"Hebrew with niqqud", "שָׁלוֹם עוֹלָם", "שָׁלוֹם-עוֹלָם"},
		{"a mark on a digit", "1\u20e3 first", "1\u20e3-first"},
		{"a mark after a hyphen is dropped", "ab-\u0301cd", "ab-cd"},
		{"a mark after a space is dropped", "ab \u093f cd", "ab-cd"},
		{"a mark opening the name is dropped", "\u093fहिन्दी", "हिन्दी"},
		{"a mark after punctuation inside a word", "क!\u093fम", "क-म"},
		{"marks after marks", "क\u094d\u200d", "क\u094d"},
		{"Latin", "Go & Rust: 2026", "go-rust-2026"},
		{"Latin, precomposed accents", "Café Crème", "café-crème"},
		{"CJK", "日本語 ニュース", "日本語-ニュース"},
		{"Hangul", "한국어 뉴스", "한국어-뉴스"},
		{"Cyrillic", "Новости дня", "новости-дня"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Slugify(tc.in); got != tc.want {
				t.Errorf("Slugify(%q)=%q, want %q", tc.in, got, tc.want)
			}
			if got := Slugify(tc.want); got != tc.want {
				t.Errorf("Slugify(%q)=%q: a slug must be its own slug", tc.want, got)
			}
		})
	}
}

// TestSlugifyMarksTellNamesApart: names that differ only in their marks
// are different categories (the build before kept the consonants alone,
// and filed both under "क-म").
func TestSlugifyMarksTellNamesApart(t *testing.T) {
	pairs := [][2]string{{"किम", "कुम"}, {"বাংলা", "বংলা"}, {"ไก่", "ไก้"}, {"كَتَبَ", "كُتُبٌ"}}
	for _, p := range pairs {
		if a, b := Slugify(p[0]), Slugify(p[1]); a == b {
			t.Errorf("Slugify(%q) and Slugify(%q) are both %q", p[0], p[1], a)
		}
	}
}

// TestLegacySlugs: the rule of the builds before marks were kept is
// available for matching what they stored, and a name not in NFC (only
// older builds stored those) keeps it under Slugify too.
func TestLegacySlugs(t *testing.T) {
	if got, want := LegacyTitleSlug("हिन्दी समाचार"), "ह-न-द-सम-च-र"; got != want {
		t.Errorf("LegacyTitleSlug=%q, want %q", got, want)
	}
	if got, want := LegacyTitleSlug("Café Crème"), TitleSlug("Café Crème"); got != want {
		t.Errorf("LegacyTitleSlug of a title without marks=%q, want TitleSlug's %q", got, want)
	}
	if got, want := Slugify("Cafe\u0301 notes"), "cafe-notes"; got != want {
		t.Errorf("Slugify of a decomposed name=%q, want %q", got, want)
	}
	// The old slug of a Hindi name is still a slug, so permalinks an older
	// build derived stay valid.
	if old := LegacyTitleSlug("हिन्दी"); Slugify(old) != old {
		t.Errorf("Slugify(%q)=%q: an old permalink is no longer a slug", old, Slugify(old))
	}
}

// TestPrepareAcceptsSlugsWithMarks: a client's own slug with marks is its
// own slug, so Prepare takes it; a derived one keeps the marks.
func TestPrepareAcceptsSlugsWithMarks(t *testing.T) {
	a := Article{Title: "हिन्दी समाचार", Slug: "हिन्दी", Categories: []string{"हिन्दी"}, Tags: []string{"किम", "कुम"}}
	if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if a.Slug != "हिन्दी" {
		t.Errorf("slug=%q", a.Slug)
	}
	want := []string{"site", "category:हिन्दी", "tag:किम", "tag:कुम"}
	if got := a.ScopeKeys(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("scopes=%q, want %q", got, want)
	}
	b := Article{Title: "हिन्दी समाचार"}
	if err := b.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if b.Slug != "हिन्दी-समाचार" {
		t.Errorf("derived slug=%q, want %q", b.Slug, "हिन्दी-समाचार")
	}
}

// TestTitleSlugKeepsClusters: a title slug cut between two characters
// never parts a letter from its marks.
func TestTitleSlugKeepsClusters(t *testing.T) {
	// One long word of consonant + vowel sign pairs (9 + 9 bytes
	// percent-encoded each): no hyphen to cut at, and the bound falls
	// between a consonant and its sign.
	word := strings.Repeat("कि", 40)
	slug := TitleSlug(word)
	if escapedSize(slug) > MaxDerivedSlugBytes {
		t.Fatalf("slug of %d bytes encoded, more than %d", escapedSize(slug), MaxDerivedSlugBytes)
	}
	if !strings.HasPrefix(word, slug) || len(slug) == 0 {
		t.Fatalf("slug %q is not a start of the word", slug)
	}
	if r, _ := utf8.DecodeRuneInString(word[len(slug):]); unicode.IsMark(r) {
		t.Errorf("the cut parts a letter from its mark %U", r)
	}
	if r, _ := utf8.DecodeLastRuneInString(slug); r != 'ि' {
		t.Errorf("slug ends with %q, want a whole syllable", r)
	}
	// Words: the cut falls between them, as before.
	words := strings.TrimSuffix(strings.Repeat("हिन्दी ", 30), " ")
	slug = TitleSlug(words)
	if strings.HasSuffix(slug, "-") || !strings.HasPrefix(Slugify(words), slug+"-") {
		t.Errorf("slug %q is not whole words of %q", slug, Slugify(words))
	}
	// A letter under more marks than the bound holds is cut between marks
	// rather than to nothing.
	if slug := TitleSlug("a" + strings.Repeat("\u0301", 100)); slug == "" || escapedSize(slug) > MaxDerivedSlugBytes {
		t.Errorf("slug of a letter under 100 marks: %q", slug)
	}
	// Latin and CJK cuts are as before.
	for _, title := range []string{strings.Repeat("日本語の記事", 60), strings.Repeat("abcdefghij", 40)} {
		if got, want := TitleSlug(title), LegacyTitleSlug(title); got != want {
			t.Errorf("TitleSlug(%.20q)=%q, want the old %q", title, got, want)
		}
	}
}

// FuzzSlugifyForms: the slug of a name in NFC is in NFC and is its own
// slug; marks are never first in a word.
func FuzzSlugifyForms(f *testing.F) {
	for _, s := range []string{"हिन्दी समाचार", "ab-\u0301cd", "العَرَبِيَّة", "ΆΈ\u0301", "İ\u0307", "ข่าว"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = norm.NFC.String(s)
		slug := Slugify(s)
		if Slugify(slug) != slug {
			t.Fatalf("Slugify(%q)=%q is not its own slug (%q)", s, slug, Slugify(slug))
		}
		if !norm.NFC.IsNormalString(slug) && norm.NFC.IsNormalString(strings.ToLower(s)) {
			t.Fatalf("Slugify(%q)=%q is not in NFC", s, slug)
		}
		prev := '-'
		for _, r := range slug {
			if unicode.IsMark(r) && prev == '-' {
				t.Fatalf("Slugify(%q)=%q starts a word with a mark", s, slug)
			}
			prev = r
		}
	})
}
