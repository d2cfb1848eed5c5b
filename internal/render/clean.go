package render

import (
	"strings"
	"unicode/utf8"

	"github.com/herald-feeds/herald/internal/herald"
)

// clean returns s without the characters an XML 1.0 document cannot
// contain: C0 controls other than tab, line feed and carriage return, the
// non-characters U+FFFE and U+FFFF, and bytes that are not UTF-8 (which is
// how a lone surrogate arrives in a Go string). encoding/xml would replace
// some of them in text and none of them in CDATA, so we remove them
// ourselves, once, before any format sees the string.
//
// It also removes the C1 controls U+0080 to U+009F, which XML allows but
// discourages, and U+FFFD, the replacement character: both are what text
// damaged by a wrong character set decoding looks like, no reader shows
// them usefully, and the W3C validator warns about each one.
//
// The common case, a clean string, costs one scan, mostly eight ASCII
// bytes at a time, and no allocation.
// cleanURL is a URL as feeds carry it: cleaned, and an ASCII URI even when
// an older build stored it raw (herald.PublishedURL; no copy otherwise).
func cleanURL(s string) string { return herald.PublishedURL(clean(s)) }

func clean(s string) string {
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainASCII(s[i:i+8]) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return cleanFrom(s, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !xmlChar(r, n) {
			return cleanFrom(s, i)
		}
		i += n
	}
	return s
}

// plainASCII reports whether the eight bytes of b are all printable ASCII
// (0x20 to 0x7F), which clean may skip without a closer look.
func plainASCII(b string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	// (x-0x20*ones)&^x has a high bit set where a byte is below 0x20 (the
	// word-at-a-time "has less than" test); x itself where one is 0x80 or
	// above.
	return ((x-0x20*ones)&^x|x)&highs == 0
}

// cleanFrom copies s, whose first i bytes are known to be clean, dropping
// every illegal character from i on.
func cleanFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if xmlChar(r, n) {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// xmlChar reports whether the non-ASCII rune r may appear in our output:
// not an undecodable byte (which decodes as U+FFFD too), not a C1
// control, not U+FFFD, U+FFFE or U+FFFF.
func xmlChar(r rune, _ int) bool {
	return (r < 0x80 || r > 0x9F) && r != utf8.RuneError && r != 0xFFFE && r != 0xFFFF
}

// cleanAll applies clean to each string, returning the input slice itself
// when nothing changes so that clean input allocates nothing.
func cleanAll(list []string) []string {
	for i, s := range list {
		if c := clean(s); c != s || c == "" {
			return cleanAllFrom(list, i)
		}
	}
	return list
}

// cleanAllFrom copies list, whose first i entries are clean and non-empty,
// cleaning the rest and dropping entries left empty.
func cleanAllFrom(list []string, i int) []string {
	out := make([]string, i, len(list))
	copy(out, list[:i])
	for _, s := range list[i:] {
		if c := clean(s); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// cleanAuthor cleans each field of a.
func cleanAuthor(a herald.Author) herald.Author {
	return herald.Author{Name: clean(a.Name), Email: clean(a.Email), URL: cleanURL(a.URL)}
}

// cleanAuthors cleans each author, dropping any left without a name, and
// returns list itself when nothing changes.
func cleanAuthors(list []herald.Author) []herald.Author {
	for i, a := range list {
		if c := cleanAuthor(a); c != a || c.Name == "" {
			out := make([]herald.Author, i, len(list))
			copy(out, list[:i])
			for _, a := range list[i:] {
				if c := cleanAuthor(a); c.Name != "" {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return list
}

// cleanEnclosures cleans each enclosure, dropping any left without a URL,
// and returns list itself when nothing changes.
func cleanEnclosures(list []herald.Enclosure) []herald.Enclosure {
	for i, e := range list {
		if c := cleanEnclosure(e); c != e || c.URL == "" {
			out := make([]herald.Enclosure, i, len(list))
			copy(out, list[:i])
			for _, e := range list[i:] {
				if c := cleanEnclosure(e); c.URL != "" {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return list
}

// cleanEnclosure cleans e's strings and treats negative sizes as unknown.
func cleanEnclosure(e herald.Enclosure) herald.Enclosure {
	e.URL, e.Type = cleanURL(e.URL), clean(e.Type)
	e.Length, e.Duration = max(e.Length, 0), max(e.Duration, 0)
	return e
}

// cleanPaging cleans every link of p.
func cleanPaging(p herald.Paging) herald.Paging {
	for _, s := range []*string{&p.First, &p.Last, &p.Next, &p.Previous, &p.Current, &p.PrevArchive, &p.NextArchive} {
		*s = clean(*s)
	}
	return p
}

// cleanShow cleans every text field of s.
func cleanShow(s herald.Show) herald.Show {
	for _, f := range []*string{&s.Title, &s.Description, &s.ImageURL, &s.Category, &s.Subcategory,
		&s.Author, &s.OwnerName, &s.OwnerEmail, &s.Type, &s.Language, &s.GUID, &s.FundingURL, &s.FundingText} {
		*f = clean(*f)
	}
	return s
}
