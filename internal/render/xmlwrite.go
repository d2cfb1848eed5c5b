package render

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlPrinter appends XML exactly as encoding/xml's Encoder, indenting by
// two spaces after a prefix, writes it, for the items of a render: the
// same indentation rules, the same escaping, the same CDATA sections. It
// writes the structs the render builds (gorilla/feeds' RssItem and
// AtomEntry inside ours) field by field in the order encoding/xml gives
// them, without reflection: encoding/xml took about three times as long
// to encode the same items (docs/PERFORMANCE.md, item 44). The document's
// head is still encoded by encoding/xml, and the tests hold every item
// written here to encoding/xml's bytes for the same struct
// (TestItemWritersMatchEncodingXML, TestSplicedEqualsWhole,
// FuzzRenderAcceptedArticle).
type xmlPrinter struct {
	b      []byte
	prefix string
	depth  int
	// indentedIn is set after a start tag until something indents: an
	// end tag that follows it directly stays on the same line.
	indentedIn bool
}

const xmlIndent = "  "

// indent writes the line break and indentation before a start tag
// (delta 1) or an end tag (delta -1), as encoding/xml's writeIndent does
// for an encoder that has already written something.
func (p *xmlPrinter) indent(delta int) {
	if delta < 0 {
		p.depth--
		if p.indentedIn {
			p.indentedIn = false
			return
		}
	}
	p.b = append(p.b, '\n')
	p.b = append(p.b, p.prefix...)
	for range p.depth {
		p.b = append(p.b, xmlIndent...)
	}
	if delta > 0 {
		p.depth++
		p.indentedIn = true
	}
}

// start begins the start tag of name; attributes may follow before open.
func (p *xmlPrinter) start(name string) {
	p.indent(1)
	p.b = append(p.b, '<')
	p.b = append(p.b, name...)
}

// attr writes an attribute of the start tag begun.
func (p *xmlPrinter) attr(name, value string) {
	p.b = append(p.b, ' ')
	p.b = append(p.b, name...)
	p.b = append(p.b, `="`...)
	p.b = appendEscaped(p.b, value)
	p.b = append(p.b, '"')
}

// attrOmit writes an attribute tagged omitempty: not at all when empty.
func (p *xmlPrinter) attrOmit(name, value string) {
	if value != "" {
		p.attr(name, value)
	}
}

// open ends the start tag begun.
func (p *xmlPrinter) open() { p.b = append(p.b, '>') }

// empty writes an element without content whose attributes are given as
// name, value pairs, every one written even when its value is empty.
func (p *xmlPrinter) empty(name string, attrs ...string) {
	p.start(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		p.attr(attrs[i], attrs[i+1])
	}
	p.open()
	p.end(name)
}

// end writes the end tag of name.
func (p *xmlPrinter) end(name string) {
	p.indent(-1)
	p.b = append(p.b, "</"...)
	p.b = append(p.b, name...)
	p.b = append(p.b, '>')
}

// text writes an element holding s as character data.
func (p *xmlPrinter) text(name, s string) {
	p.start(name)
	p.open()
	p.b = appendEscaped(p.b, s)
	p.end(name)
}

// textOmit writes an element tagged omitempty: not at all when s is
// empty.
func (p *xmlPrinter) textOmit(name, s string) {
	if s != "" {
		p.text(name, s)
	}
}

// raw writes an element holding inner as it is (a field tagged
// innerxml).
func (p *xmlPrinter) raw(name, inner string) {
	p.start(name)
	p.open()
	p.b = append(p.b, inner...)
	p.end(name)
}

// int writes an element tagged omitempty holding n in decimal.
func (p *xmlPrinter) intOmit(name string, n int) {
	if n != 0 {
		p.start(name)
		p.open()
		p.b = strconv.AppendInt(p.b, int64(n), 10)
		p.end(name)
	}
}

// cdata writes s as encoding/xml writes a field tagged cdata: nothing
// when s is empty, else one CDATA section, closed and reopened around
// every "]]>" inside so that none ends it early.
func (p *xmlPrinter) cdata(s string) {
	if s == "" {
		return
	}
	p.b = append(p.b, "<![CDATA["...)
	for {
		before, after, found := strings.Cut(s, "]]>")
		if !found {
			break
		}
		p.b = append(p.b, before...)
		p.b = append(p.b, "]]]]><![CDATA[>"...)
		s = after
	}
	p.b = append(p.b, s...)
	p.b = append(p.b, "]]>"...)
}

// appendEscaped appends s escaped as encoding/xml escapes character data
// and attribute values: the five markup characters and tab, line feed
// and carriage return as character references, and every character XML
// cannot hold (and every byte that is not UTF-8) as U+FFFD. Runs of plain
// ASCII, the usual case, are copied eight bytes at a time.
func appendEscaped(dst []byte, s string) []byte {
	last, i := 0, 0
	for i < len(s) {
		if i+8 <= len(s) && plainASCII(s[i:i+8]) && !hasMarkup8(word8(s[i:])) {
			i += 8
			continue
		}
		c := s[i]
		var esc string
		width := 1
		switch {
		case c == '"':
			esc = "&#34;"
		case c == '\'':
			esc = "&#39;"
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '\t':
			esc = "&#x9;"
		case c == '\n':
			esc = "&#xA;"
		case c == '\r':
			esc = "&#xD;"
		case c < 0x20:
			esc = "\uFFFD"
		case c < utf8.RuneSelf:
			i++
			continue
		default:
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if inCharRange(r) && !(r == utf8.RuneError && width == 1) {
				i += width
				continue
			}
			esc = "\uFFFD"
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		i += width
		last = i
	}
	return append(dst, s[last:]...)
}

// hasMarkup8 reports whether any of the eight bytes of x is one that
// appendEscaped replaces among the printable ones: " & ' < >.
func hasMarkup8(x uint64) bool {
	return hasByte(x, '"') || hasByte(x, '&') || hasByte(x, '\'') || hasByte(x, '<') || hasByte(x, '>')
}

// word8 is the first eight bytes of s as one word, the first byte lowest.
func word8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// hasByte reports whether any byte of x is c: such a byte is a zero byte
// of x^(c*ones), which the word-at-a-time zero test finds exactly.
func hasByte(x uint64, c byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	v := x ^ (uint64(c) * ones)
	return (v-ones)&^v&highs != 0
}

// inCharRange reports whether XML 1.0 allows the character r (its Char
// production) above the ASCII controls.
func inCharRange(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
