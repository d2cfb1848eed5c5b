package render

import (
	"unicode"
	"unicode/utf8"

	"github.com/herald-feeds/herald/internal/herald"
)

// terms merges categories and tags into one list, categories first, keeping
// the first spelling of each slug: JSON Feed cannot tell the two apart, and
// a reader should not see "Go" and "go" side by side.
func terms(categories, tags []string) []string {
	if len(tags) == 0 {
		return categories
	}
	if len(categories) == 0 {
		return tags
	}
	out := make([]string, 0, len(categories)+len(tags))
	if len(categories)+len(tags) > 32 {
		// Long lists: a set of slugs beats comparing every pair.
		seen := make(map[string]bool, len(categories)+len(tags))
		for _, list := range [2][]string{categories, tags} {
			for _, n := range list {
				if slug := herald.Slugify(n); !seen[slug] {
					seen[slug] = true
					out = append(out, n)
				}
			}
		}
		return out
	}
	for _, list := range [2][]string{categories, tags} {
	next:
		for _, n := range list {
			for _, kept := range out {
				if sameSlug(kept, n) {
					continue next
				}
			}
			out = append(out, n)
		}
	}
	return out
}

// sameSlug reports whether herald.Slugify(a) == herald.Slugify(b), without
// building either when neither holds a combining mark: the same letters
// and digits, lower-cased, in the same runs. Whether a mark stays in the
// slug depends on what precedes it and on the name's normalization form,
// so once one turns up the slugs themselves are compared. Until then the
// walk may still answer false: a mark never changes which letters and
// digits a slug holds, nor the hyphens between characters it has not
// reached.
func sameSlug(a, b string) bool {
	nameA, nameB := a, b
	first := true
	for {
		ra, sepA, markA, na := nextSlugRune(a)
		rb, sepB, markB, nb := nextSlugRune(b)
		if markA || markB {
			return herald.Slugify(nameA) == herald.Slugify(nameB)
		}
		if na == 0 || nb == 0 {
			return na == nb
		}
		if ra != rb || (!first && sepA != sepB) {
			return false
		}
		first = false
		a, b = a[na:], b[nb:]
	}
}

// nextSlugRune returns the first letter or digit of s lower-cased as
// Slugify does, whether other characters (a hyphen in the old rule's slug)
// came before it, whether one of those was a combining mark, and the bytes
// it consumed; n is 0 when s has no letter or digit left.
func nextSlugRune(s string) (r rune, skipped, mark bool, n int) {
	for n < len(s) {
		c, w := utf8.DecodeRuneInString(s[n:])
		n += w
		if c = unicode.ToLower(c); unicode.IsLetter(c) || unicode.IsDigit(c) {
			return c, skipped, mark, n
		}
		skipped = true
		mark = mark || unicode.IsMark(c)
	}
	return 0, skipped, mark, 0
}
