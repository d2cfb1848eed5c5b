package render

import (
	"strings"
	"time"
)

// rssText is the character data of an RSS element that holds plain text
// (titles, the channel description, categories, names). The RSS Advisory
// Board's profile asks for "&", "<" and ">" in such elements as hexadecimal
// character references (&#x26; &#x3C; &#x3E;), the one encoding every
// aggregator decodes as text and none mistakes for markup; the W3C
// validator warns when they are written any other way. encoding/xml has no
// option for that, so the element's content is escaped here and written
// as inner XML.
type rssText struct {
	Inner string `xml:",innerxml"`
}

// newRSSText escapes s, which clean has already stripped of characters
// XML cannot carry.
func newRSSText(s string) rssText { return rssText{Inner: hexEscaper.Replace(s)} }

// rssTexts converts list into the start of slab and returns that part
// and the rest of slab, which must be long enough.
func rssTexts(list []string, slab []rssText) (own, rest []rssText) {
	if len(list) == 0 {
		return nil, slab
	}
	own, rest = slab[:len(list):len(list)], slab[len(list):]
	for i, s := range list {
		own[i] = newRSSText(s)
	}
	return own, rest
}

// hexEscaper escapes what XML character data cannot hold literally, and a
// carriage return, which a parser would otherwise turn into a line feed.
var hexEscaper = strings.NewReplacer("&", "&#x26;", "<", "&#x3C;", ">", "&#x3E;", "\r", "&#xD;")

// rssHTML is the character data of an RSS element that holds HTML (an
// item's <description>), escaped here in one pass and written as inner
// XML. encoding/xml would escape the string rune by rune, and a plain-text
// summary needs escaping twice over (as HTML, then as XML text), which was
// the largest part of escaping an RSS feed.
type rssHTML struct {
	Inner string `xml:",innerxml"`
}

// xmlEscaper escapes a clean string exactly as encoding/xml escapes
// character data and attribute values. On strings that clean has passed,
// encoding/xml changes nothing else: clean has already removed every
// character it would replace with U+FFFD.
var xmlEscaper = strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;",
	"\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

// textAsHTMLEscaper escapes a clean plain-text string as HTML and the
// result as XML character data, in one pass: the bytes
// xmlEscaper.Replace(html.EscapeString(s)) gives.
var textAsHTMLEscaper = strings.NewReplacer("&", "&amp;amp;", "<", "&amp;lt;", ">", "&amp;gt;", "'", "&amp;#39;", `"`, "&amp;#34;",
	"\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

// texts makes the many short strings of a render (dates, ids, addresses)
// with a few allocations instead of one each: every string is appended to
// one strings.Builder and sliced back out of it. A Builder never changes
// the bytes it has written, so strings taken earlier stay valid as it
// grows.
type texts struct {
	b strings.Builder
}

// grow makes room for about n more bytes.
func (t *texts) grow(n int) { t.b.Grow(n) }

// add returns the concatenation of parts, kept in t.
func (t *texts) add(parts ...string) string {
	start := t.b.Len()
	for _, p := range parts {
		t.b.WriteString(p)
	}
	return t.b.String()[start:]
}

// time returns v formatted by layout, kept in t.
func (t *texts) time(v time.Time, layout string) string {
	var scratch [64]byte
	start := t.b.Len()
	t.b.Write(v.AppendFormat(scratch[:0], layout))
	return t.b.String()[start:]
}
