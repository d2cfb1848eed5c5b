package importer

import (
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// paragraphsHTML turns plain text into HTML: paragraphs split at blank
// lines, the lines of one paragraph joined with a space, and every <, >
// and & escaped, so that no markup is interpreted. Text files and the
// plain-text fields of feeds (JSON Feed content_text, Atom type="text")
// go through it alike.
func paragraphsHTML(lines []string) string {
	var b strings.Builder
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(strings.Join(para, " ")))
		b.WriteString("</p>\n")
		para = para[:0]
	}
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			flush()
			continue
		}
		para = append(para, l)
	}
	flush()
	return b.String()
}

// textHTML is paragraphsHTML for one string of text.
func textHTML(s string) string {
	return paragraphsHTML(strings.Split(normalizeNewlines([]byte(s)), "\n"))
}

// derivedTitleRunes is about how long a title derived from an item's text
// may be: long enough to tell items apart in a list, short enough to read
// as a title.
const derivedTitleRunes = 80

// minSentenceRunes keeps an abbreviation near the start ("Dr. Smith …",
// "e.g. …") from being taken for the end of the first sentence.
const minSentenceRunes = 20

// derivedTitle names a feed item that has no title, which RSS 2.0 (an item
// needs only a title or a description) and JSON Feed allow but an article
// does not. It is the item's first sentence when that ends within
// derivedTitleRunes, else the whole text when it is that short, else the
// text cut at the last space before the limit with an ellipsis. An item
// without text is named by its link, then by its first enclosure's.
// The result is stable across re-imports of the same feed, which keeps the
// slug derived from it stable.
func derivedTitle(text string, links ...string) string {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		for _, l := range links {
			if t := linkTitle(l); t != "" {
				return t
			}
		}
		return ""
	}
	r := []rune(text)
	for i := minSentenceRunes; i < len(r) && i < derivedTitleRunes; i++ {
		if (r[i] == '.' || r[i] == '!' || r[i] == '?') && (i+1 == len(r) || r[i+1] == ' ') {
			return string(r[:i+1])
		}
	}
	if len(r) <= derivedTitleRunes {
		return text
	}
	cut := derivedTitleRunes
	for cut > 0 && r[cut] != ' ' {
		cut--
	}
	if cut == 0 { // one word longer than the limit
		cut = derivedTitleRunes
	}
	return strings.TrimRight(string(r[:cut]), " ,;:-–—") + "…"
}

// linkTitle names an item by its address without the scheme or a
// trailing slash ("example.org/posts/42"), which is readable and gives a
// slug as stable as the link.
func linkTitle(link string) string {
	link = strings.TrimSpace(link)
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return link
	}
	t := u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
	if u.RawQuery != "" {
		t += "?" + u.RawQuery
	}
	if p, err := url.PathUnescape(t); err == nil && utf8.ValidString(p) {
		t = p
	}
	return t
}
