package render

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herald-feeds/herald/internal/sanitize"
)

// excerptRunes is about how long the plain-text excerpt is that an RSS
// item's description carries for an article with content and no summary:
// a few sentences, enough for a reader's list view, while the content
// itself goes out once, in content:encoded. (Putting the whole content in
// both elements doubled the size of every such RSS feed.)
const excerptRunes = 300

// excerpt is the first excerptRunes or so of the text a reader sees in
// the HTML fragment s, cut after a whole word where there is one in the
// last third, and ended with "…" when anything was cut. It is "" when s
// shows no text.
func excerpt(s string) string {
	// TextPrefix leaves out every character clean would remove.
	t := sanitize.TextPrefix(s, excerptRunes)
	if utf8.RuneCountInString(t) <= excerptRunes {
		return t
	}
	// cut is the byte offset of the first rune left out.
	cut, n := 0, 0
	for i := range t {
		if n == excerptRunes {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndexByte(t[:cut], ' '); sp >= 0 && utf8.RuneCountInString(t[:sp]) >= excerptRunes*2/3 {
		cut = sp
	} else {
		// No word boundary near the end (a script written without spaces,
		// or one very long word): cut between characters, never between a
		// character and the marks or joiners that belong to it.
		for cut > 0 {
			r, _ := utf8.DecodeRuneInString(t[cut:])
			p, size := utf8.DecodeLastRuneInString(t[:cut])
			if !unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) && r != '\u200d' && p != '\u200d' &&
				!unicode.Is(unicode.Variation_Selector, r) {
				break
			}
			cut -= size
		}
	}
	return strings.TrimRight(t[:cut], " ,;:-–—") + "…"
}
