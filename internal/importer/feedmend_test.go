package importer

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestParseFeedMendsAuthors: an imported feed's author email that is no
// bare address is read as "Name <address>" when it is one, else dropped
// with the name kept (or the text standing in for a missing name); the
// quoted pairs of an RSS comment are read back.
func TestParseFeedMendsAuthors(t *testing.T) {
	rssItem := func(author string) string {
		return rssHead + `<item><title>T</title><author>` + author + `</author></item></channel></rss>`
	}
	atomEntry := func(email string) string {
		return atomHead + `<entry><title>E</title><id>urn:e</id><author><name>Ann</name><email>` + email + `</email></author></entry></feed>`
	}
	tests := []struct {
		name, path, in string
		want           []herald.Author
	}{
		{"rss doubled at", "f.rss", rssItem("x@@example.com (X)"), []herald.Author{{Name: "X"}}},
		{"rss address alone, bad", "f.rss", rssItem("a..b@example..com"), []herald.Author{{Name: "a..b@example..com"}}},
		{"rss non-ASCII address", "f.rss", rssItem("ünï@exämple.com (U)"), []herald.Author{{Name: "U"}}},
		{"rss name and address", "f.rss", rssItem("Ann &lt;ann@example.com&gt;"), []herald.Author{{Name: "Ann", Email: "ann@example.com"}}},
		{"rss good address kept", "f.rss", rssItem("ann@example.com (Ann)"), []herald.Author{{Name: "Ann", Email: "ann@example.com"}}},
		{"rss quoted pairs", "f.rss", rssItem(`smiley@example.com (Smiley :\))`), []herald.Author{{Name: "Smiley :)", Email: "smiley@example.com"}}},
		{"rss quoted backslash", "f.rss", rssItem(`bs@example.com (Back\\slash \(open)`), []herald.Author{{Name: `Back\slash (open`, Email: "bs@example.com"}}},
		{"atom comma", "f.atom", atomEntry("a,b@example.com"), []herald.Author{{Name: "Ann"}}},
		{"atom comment", "f.atom", atomEntry("(c)a@.com"), []herald.Author{{Name: "Ann"}}},
		{"atom backslash kept in a plain name", "f.atom", strings.Replace(atomEntry("ann@example.com"), "Ann", `C:\dir`, 1), []herald.Author{{Name: `C:\dir`, Email: "ann@example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustParseOne(t, tt.path, tt.in)
			if !reflect.DeepEqual(a.Authors, tt.want) {
				t.Fatalf("authors=%+v, want %+v", a.Authors, tt.want)
			}
		})
	}
}

// TestParseFeedMendsLanguage: a feed's language that is no valid tag is
// dropped (the articles take the site's); "en_US" is read as "en-US"; a
// valid one is kept as written.
func TestParseFeedMendsLanguage(t *testing.T) {
	for _, tt := range []struct{ lang, want string }{
		{"en-x", ""}, {"zz-zz-zz-zz", ""}, {"English", ""}, {"a", ""},
		{"en_US", "en-US"}, {"en-us", "en-us"}, {" pt-BR ", "pt-BR"},
	} {
		in := strings.Replace(rssHead, "<channel>", "<channel><language>"+tt.lang+"</language>", 1) + `<item><title>T</title></item></channel></rss>`
		if a := mustParseOne(t, "f.rss", in); a.Language != tt.want {
			t.Errorf("<language>%s</language>: language=%q, want %q", tt.lang, a.Language, tt.want)
		}
	}
	atom := strings.Replace(atomHead, `<feed `, `<feed xml:lang="en-a-b" `, 1) + `<entry><title>E</title><id>urn:e</id></entry></feed>`
	if a := mustParseOne(t, "f.atom", atom); a.Language != "" {
		t.Errorf(`xml:lang="en-a-b": language=%q, want none`, a.Language)
	}
}

// TestRunImportsFeedWithBadValues: every article of a feed with bad
// emails and an ill-formed language is created, without them; a Markdown
// file, the user's own, with a bad email fails naming the field, as the
// write API does.
func TestRunImportsFeedWithBadValues(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"old.rss": `<?xml version="1.0"?><rss version="2.0"><channel><title>R</title><link>https://example.org/</link><language>en-x</language>` +
			`<item><title>One</title><link>https://example.org/1</link><author>x@@example.com (Ex)</author></item>` +
			`<item><title>Two</title><link>https://example.org/2</link><author>a,b@example.com</author></item>` +
			`<item><title>Three</title><link>https://example.org/3</link><author>ok@example.com (Ok)</author></item>` +
			`</channel></rss>`,
		"mine.md": "---\ntitle: Mine\nauthors: [{name: Me, email: me@@example.com}]\n---\nBody.\n",
	})
	sink := newMemSink()
	out, sum, err := runImport(t, sink, dir, []string{dir}, Options{})
	if sum.Created != 3 || sum.Failed != 1 || !errors.Is(err, ErrFailed) {
		t.Fatalf("summary=%+v err=%v, want 3 created and the Markdown file failed; output:\n%s", sum, err, out)
	}
	if want := `failed    DIR/mine.md (mine): invalid: authors[0].email must be a plain email address`; !strings.Contains(out, want) {
		t.Errorf("output:\n%s\nwant a line holding %q", out, want)
	}
	for slug, want := range map[string][]herald.Author{
		"one":   {{Name: "Ex"}},
		"two":   {{Name: "a,b@example.com"}},
		"three": {{Name: "Ok", Email: "ok@example.com"}},
	} {
		a := sink.articles[slug]
		if a == nil {
			t.Errorf("article %s not stored; output:\n%s", slug, out)
			continue
		}
		if !reflect.DeepEqual(a.Authors, want) || a.Language != "" {
			t.Errorf("article %s: authors=%+v language=%q, want %+v and no language", slug, a.Authors, a.Language, want)
		}
	}
}
