package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodShows = `
field-notes:
  title: Field Notes Radio
  description: Conversations about the small web.
  image: https://example.com/art/field-notes-3000.jpg
  category: Society & Culture
  subcategory: Documentary
  explicit: false
  author: Herald Editors
  owner: {name: Priya Raman, email: podcast@example.com}
  type: serial
  language: en
  locked: true
  funding: {url: https://example.com/support, text: Support the show}
`

func writeShows(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "shows.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadShows(t *testing.T) {
	shows, err := LoadShows(writeShows(t, goodShows), "https://example.com/")
	if err != nil {
		t.Fatalf("LoadShows: %v", err)
	}
	s, ok := shows["field-notes"]
	if !ok || s.Title != "Field Notes Radio" || s.Subcategory != "Documentary" || !s.Locked || s.Owner.Email != "podcast@example.com" || s.Type != "serial" {
		t.Fatalf("shows=%+v", shows)
	}
	if want := PodcastGUID("https://example.com/categories/field-notes/feed.rss"); s.GUID != want {
		t.Errorf("guid=%q, want %q derived from the feed URL", s.GUID, want)
	}
	minimal, err := LoadShows(writeShows(t, "talk:\n  image: https://e.com/a.png\n  category: Technology\n  owner: {email: a@e.com}\n"), "https://e.com")
	if err != nil {
		t.Fatalf("minimal show: %v", err)
	}
	if minimal["talk"].Type != "episodic" {
		t.Errorf("type=%q, want the default episodic", minimal["talk"].Type)
	}
}

// TestShowKeyedByASlugWithMarks: a show is keyed by its category's slug,
// which keeps the combining marks after a letter (Slugify), as in हिन्दी.
func TestShowKeyedByASlugWithMarks(t *testing.T) {
	shows, err := LoadShows(writeShows(t, "हिन्दी-समाचार:\n  image: https://e.com/a.png\n  category: News\n  owner: {email: a@e.com}\n"), "https://e.com")
	if err != nil {
		t.Fatalf("LoadShows: %v", err)
	}
	if _, ok := shows["हिन्दी-समाचार"]; !ok {
		t.Fatalf("shows=%+v, want the show keyed हिन्दी-समाचार", shows)
	}
	for _, s := range []string{"हिन्दी", "ไทย", "café", "go-2026", "日本"} {
		if !isSlug(s) {
			t.Errorf("isSlug(%q)=false, want true", s)
		}
	}
	for _, s := range []string{"", "-a", "a-", "a--b", "A", "a b", "\u093fक", "क-\u093f", "cafe\u0301", "ǅ"} {
		if isSlug(s) {
			t.Errorf("isSlug(%q)=true, want false", s)
		}
	}
}

// TestPodcastGUID checks the derivation against the podcast namespace's
// own examples.
func TestPodcastGUID(t *testing.T) {
	for url, want := range map[string]string{
		"https://mp3s.nashownotes.com/pc20rss.xml": "917393e3-1b1e-5cef-ace4-edaa54e1f810",
		"http://podnews.net/rss/":                  "9b024349-ccf0-5f69-a609-6b82873eab3c",
	} {
		if got := PodcastGUID(url); got != want {
			t.Errorf("PodcastGUID(%q)=%q, want %q", url, got, want)
		}
	}
}

func TestLoadShowsRejects(t *testing.T) {
	base := "x:\n  image: https://e.com/a.jpg\n  category: Technology\n  owner: {email: a@e.com}\n"
	tests := []struct{ name, file, want string }{
		{"unknown field", base + "  explict: true\n", "x.explict: line 5: unknown field (known here: title, description"},
		{"bool not a bool", base + "  explicit: clean\n", `x.explicit: line 5: must be true or false, got "clean"`},
		{"unknown nested field", strings.Replace(base, "{email: a@e.com}", "{email: a@e.com, phone: 1}", 1), "x.owner.phone: line 4: unknown field (known here: name, email)"},
		{"value for a mapping", strings.Replace(base, "{email: a@e.com}", "bob", 1), "x.owner: line 4: must be a mapping of name, email"},
		{"list for text", base + "  author: [a, b]\n", "x.author: line 5: must be text"},
		{"show not a mapping", "x: yes\n", "x: line 1: must be a mapping"},
		{"subcategory of a category without any", strings.Replace(base, "Technology", "Government", 1) + "  subcategory: Documentary\n", `x.subcategory: "Government" has no subcategories`},
		{"missing image", "x:\n  category: Technology\n  owner: {email: a@e.com}\n", "x.image: is required"},
		{"image not jpeg or png", strings.Replace(base, "a.jpg", "a.gif", 1), "x.image: must be a JPEG or PNG"},
		{"unknown category", strings.Replace(base, "Technology", "Tech", 1), `x.category: "Tech" is not an Apple Podcasts category`},
		{"foreign subcategory", strings.Replace(base, "Technology", "Arts", 1) + "  subcategory: Drama\n", `x.subcategory: "Drama" is not a subcategory of "Arts" (its subcategories: Books, Design`},
		{"missing owner email", "x:\n  image: https://e.com/a.jpg\n  category: Technology\n", "x.owner.email: is required"},
		{"bad owner email", strings.Replace(base, "a@e.com", "nobody", 1), "x.owner.email: must be a bare email"},
		{"bad type", base + "  type: weekly\n", "x.type: must be episodic or serial"},
		{"bad guid", base + "  guid: my-show\n", "x.guid: must be a UUID"},
		{"relative funding", base + "  funding: {url: /support}\n", "x.funding.url: must be an absolute"},
		{"bad language", base + "  language: english\n", "x.language:"},
		{"ill-formed language", base + "  language: en-a-b\n", `x.language: must be a language tag such as en or pt-BR, got "en-a-b"`},
		{"owner email with doubled dots", strings.Replace(base, "a@e.com", "a..b@e.com", 1), "x.owner.email: must be a bare email"},
		{"control character in the title", base + "  title: \"Ctl\\vTitle\"\n", "x.title: contains the character U+000B"},
		{"C1 control in the description", base + "  description: \"bad \\u0085 break\"\n", "x.description: contains the character U+0085"},
		{"U+FFFD in the author", base + "  author: \"Mojibake \\uFFFD\"\n", "x.author: contains the character U+FFFD"},
		{"key not a slug", strings.Replace(base, "x:", "Field Notes:", 1), `Field Notes: must be a category slug (lower case letters and digits, each with the combining marks that follow it, in runs joined by single hyphens), as in /categories/SLUG/feed.rss; the category "Field Notes" has the slug "field-notes"`},
		{"key a name with marks", strings.Replace(base, "x:", "हिन्दी समाचार:", 1), `the category "हिन्दी समाचार" has the slug "हिन्दी-समाचार"`},
		{"key with marks not in NFC", strings.Replace(base, "x:", "cafe\u0301:", 1), "cafe\u0301: must be a category slug (lower case letters and digits, each with the combining marks that follow it, in runs joined by single hyphens), as in /categories/SLUG/feed.rss; it is not in Unicode normalization form C (NFC)"},
		{"key starting with a mark", strings.Replace(base, "x:", "\u093f\u0915:", 1), "must be a category slug"},
		{"not a mapping", "- a\n- b\n", "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeShows(t, tt.file)
			_, err := LoadShows(p, "https://e.com")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "podcast.shows_file") {
				t.Fatalf("err=%v, want one naming podcast.shows_file and containing %q", err, tt.want)
			}
		})
	}
	if _, err := LoadShows(filepath.Join(t.TempDir(), "missing.yaml"), ""); err == nil || !strings.Contains(err.Error(), "podcast.shows_file") {
		t.Fatalf("missing file: err=%v, want one naming podcast.shows_file", err)
	}
}

func TestValidateChecksShowsFile(t *testing.T) {
	cfg, _, err := Load([]string{"-podcast.shows-file", writeShows(t, "x:\n  category: Nope\n")}, nil)
	if err == nil || !strings.Contains(err.Error(), "x.category") {
		t.Fatalf("Load with a bad shows file: cfg=%v err=%v, want an error naming x.category", cfg != nil, err)
	}
}
