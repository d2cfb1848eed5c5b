package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Text reduces an HTML fragment to the text a reader would see, entities
// decoded, whitespace collapsed to single spaces and characters no feed
// can carry left out. It tokenizes the way
// a browser does rather than deleting everything between '<' and '>', so
// that a stray '<' in text ("a < b", common in feeds that escape once too
// few) keeps what follows it. Block-level elements separate words; script
// and style say nothing.
func Text(fragment string) string { return TextPrefix(fragment, -1) }

// TextPrefix is Text read no further than needed to know its first n
// runes: it returns Text's first n+1 runes or more when Text has more than
// n, else all of Text. A negative n reads everything.
func TextPrefix(fragment string, n int) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var t textBuilder
	if n > 0 {
		t.b.Grow(n + n/2)
	}
	hidden := false
	for n < 0 || t.runes <= n {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return t.b.String()
		case html.TextToken:
			if !hidden {
				t.write(z.Text(), n)
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			switch rawTagName(z.Raw()) {
			case "script", "style":
				hidden = tt == html.StartTagToken
			case "p", "br", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
				"blockquote", "pre", "table", "tr", "td", "th", "hr", "figure", "figcaption",
				"section", "article", "header", "footer", "aside", "nav",
				"audio", "video", "picture", "img":
				t.space = true
			}
		}
	}
	return t.b.String()
}

// textBuilder collects text with every run of white space written as one
// space, none at either end, counting the runes it holds. Characters no
// feed can carry (controls, U+FFFD and bytes that are not UTF-8, U+FFFE,
// U+FFFF) are left out, so that the count is of what a reader sees.
type textBuilder struct {
	b     strings.Builder
	runes int
	space bool // white space seen since the last rune written
}

// write adds the text p, stopping once the builder holds more than limit
// runes (a negative limit: all of p).
func (t *textBuilder) write(p []byte, limit int) {
	for len(p) > 0 && (limit < 0 || t.runes <= limit) {
		r, size := utf8.DecodeRune(p)
		switch {
		case unicode.IsSpace(r):
			t.space = true
		case r < 0x20 || r >= 0x7F && r <= 0x9F || r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF:
		default:
			if t.space && t.runes > 0 {
				t.b.WriteByte(' ')
				t.runes++
			}
			t.space = false
			t.b.Write(p[:size])
			t.runes++
		}
		p = p[size:]
	}
}

// rawTagName is the lower-case name of the tag whose source is raw ("<p
// class=x>", "</LI>", "<br/>"), or "" for a name longer than any Text
// looks for. (The tokenizer's TagName copies every name it returns.)
func rawTagName(raw []byte) string {
	i := 1
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	var name [10]byte
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == ' ' || c == '/' || c == '>' || c == '\t' || c == '\n' || c == '\f' || c == '\r' {
			break
		}
		if n == len(name) {
			return ""
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		name[n] = c
		n++
	}
	return string(name[:n])
}
