package render

import (
	"strings"
	"unicode/utf8"
)

// clean returns s without the characters an XML 1.0 document cannot
// contain: C0 controls other than tab, line feed and carriage return, the
// non-characters U+FFFE and U+FFFF, and bytes that are not UTF-8 (which is
// how a lone surrogate arrives in a Go string). encoding/xml would replace
// some of them in text and none of them in CDATA, so we remove them
// ourselves, once, before any format sees the string.
//
// The common case, a clean string, costs a validity check and one scan
// eight bytes at a time, and no allocation.
func clean(s string) string {
	if !utf8.ValidString(s) {
		return cleanFrom(s, 0)
	}
	if i := suspect(s); i >= 0 {
		for ; i < len(s); i++ {
			switch c := s[i]; {
			case c < 0x20:
				if c != '\t' && c != '\n' && c != '\r' {
					return cleanFrom(s, i)
				}
			case c == 0xEF:
				// U+FFFE and U+FFFF are EF BF BE and EF BF BF.
				if i+2 < len(s) && s[i+1] == 0xBF && s[i+2] >= 0xBE {
					return cleanFrom(s, i)
				}
			}
		}
	}
	return s
}

// suspect returns the index of the first eight-byte block of s holding a
// byte below 0x20 or an 0xEF (the lead byte of U+FFFE and U+FFFF), or -1.
// Most text has neither in most blocks, so clean looks at bytes one by one
// only from there on.
func suspect(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		y := x ^ (0xEF * ones)
		// The classic "has a byte less than n" and "has a zero byte" tests.
		if (x-0x20*ones)&^x&highs != 0 || (y-ones)&^y&highs != 0 {
			return i
		}
	}
	if i < len(s) {
		return i
	}
	return -1
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

// xmlChar reports whether the non-ASCII rune r, decoded from n bytes, may
// appear in XML. A RuneError of width 1 is an undecodable byte; a real
// U+FFFD in the input has width 3 and is kept.
func xmlChar(r rune, n int) bool {
	if r == utf8.RuneError && n == 1 {
		return false
	}
	return r != 0xFFFE && r != 0xFFFF
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
