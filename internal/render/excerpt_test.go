package render

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sanitize"
)

func TestExcerpt(t *testing.T) {
	words := strings.Repeat("word ", 59) + "lastword, following text that is cut off"
	cjk := strings.Repeat("日本語の文章", 60)
	for _, tc := range []struct{ name, in, want string }{
		{"short text whole", "<p>Hello <b>world</b></p>", "Hello world"},
		{"entities decoded", "<p>Fish &amp; chips &lt;3</p>", "Fish & chips <3"},
		{"blocks separate words", "<h2>Title</h2><p>First</p><ul><li>one</li><li>two</li></ul>", "Title First one two"},
		{"script and style say nothing", "<style>p{}</style><p>seen</p><script>x()</script>", "seen"},
		{"no text", `<p><img src="https://example.com/a.png" alt="a"></p>`, ""},
		{"controls removed", "<p>a&#1;b</p>", "ab"},
		// 59 "word "s are 295 runes; "lastword" crosses 300: the cut falls
		// before it, and the trailing space goes.
		{"cut after a whole word", "<p>" + words + "</p>", strings.TrimSpace(strings.Repeat("word ", 59)) + "…"},
		{"no spaces: cut at 300 characters", "<p>" + cjk + "</p>", string([]rune(cjk)[:300]) + "…"},
		{"punctuation before the cut dropped", "<p>" + strings.Repeat("x", 250) + " abc, " + strings.Repeat("y", 60) + "</p>", strings.Repeat("x", 250) + " abc…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := excerpt(tc.in); got != tc.want {
				t.Errorf("excerpt:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestExcerptKeepsMarksWithTheirCharacter(t *testing.T) {
	// 299 letters, then "é" spelled e + U+0301: the 300th rune is the "e",
	// the accent the 301st. Cutting after the e would strip its accent, so
	// the whole "é" goes.
	in := strings.Repeat("a", 299) + "e\u0301" + strings.Repeat("b", 20)
	if got, want := excerpt(in), strings.Repeat("a", 299)+"…"; got != want {
		t.Errorf("combining mark: got %q, want %q", got, want)
	}
	// A family emoji is three emoji joined by U+200D; a cut inside it
	// leaves a joiner dangling or splits the picture.
	family := "\U0001F468\u200d\U0001F469\u200d\U0001F467"
	in = strings.Repeat("a", 298) + family + strings.Repeat("b", 20)
	got := excerpt(in)
	if strings.Contains(got, "\u200d") || !strings.HasPrefix(got, strings.Repeat("a", 298)) {
		t.Errorf("joined emoji: got %q", got[290:])
	}
	if !utf8.ValidString(got) {
		t.Errorf("excerpt is not UTF-8: %q", got)
	}
}

// An RSS item of an article with content and no summary carries an
// excerpt in its description and the content once, in content:encoded;
// in a podcast show the description keeps the whole content, the show
// notes several podcast apps read only from there.
func TestRSSDescriptionIsAnExcerptOutsideShows(t *testing.T) {
	long := "<p>" + strings.Repeat("Polling politely means conditional requests. ", 20) + "</p>"
	site := sampleArticles()[0]
	a := *site
	a.Summary = ""
	a.ContentHTML = long
	out := string(mustRender(t, herald.FormatRSS, siteChannel(herald.FormatRSS), []*herald.Article{&a}))
	feed := parse(t, []byte(out))
	it := feed.Items[0]
	want := strings.TrimSpace(strings.Repeat("Polling politely means conditional requests. ", 6)) + " Polling politely means…"
	if got := html.UnescapeString(it.Description); got != want {
		t.Errorf("description:\n got %q\nwant %q", got, want)
	}
	if it.Content != long {
		t.Errorf("content:encoded = %q, want the whole content", it.Content)
	}
	if n := strings.Count(out, "conditional requests"); n != 20+6 {
		t.Errorf("the feed repeats the content's sentence %d times, want 26 (20 in content:encoded, 6 in the excerpt)", n)
	}

	ep := *showArticles()[0]
	ep.Summary = ""
	ep.ContentHTML = long
	show := parse(t, mustRender(t, herald.FormatRSS, showChannel(herald.FormatRSS), []*herald.Article{&ep}))
	if got := show.Items[0].Description; got != long {
		t.Errorf("show item description = %q, want the whole content", got)
	}
}

// TestExcerptCountsWhatReadersSee: characters no feed carries do not count
// towards the excerpt's length, so one cut short still ends with "…"; a
// single paragraph far longer than the excerpt is read only as far as
// needed.
func TestExcerptCountsWhatReadersSee(t *testing.T) {
	in := "<p>" + strings.Repeat("&#1;", 20) + strings.Repeat("w ", 140) + "<b>bold</b> " + strings.Repeat("more text ", 10) + "</p>"
	got := excerpt(in)
	if !strings.HasSuffix(got, "…") || strings.ContainsRune(got, 1) {
		t.Errorf("excerpt %q: want it cut with \"…\" and without control characters", got)
	}
	long := "<p>" + strings.Repeat("word ", 400000) + "</p>" // 2 MB in one text token
	if p := sanitize.TextPrefix(long, excerptRunes); len(p) > 2*excerptRunes {
		t.Errorf("TextPrefix of a 2 MB paragraph kept %d bytes, want about %d", len(p), excerptRunes)
	}
}
