package herald

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxDerivedSlugBytes bounds a slug Prepare derives from a title, measured
// percent-encoded as it appears in the article's URL. A title may hold
// limits.title_chars characters, and a letter outside ASCII takes 6 to 12
// bytes once encoded, so a slug of a whole title could outgrow any URL
// limit (400 CJK characters make 3,600 bytes). 255 is the longest file
// name most file systems and static-site exports accept for the path
// segment a slug becomes, and an eighth of the default limits.url_bytes,
// which leaves base_url plenty of room: about 250 ASCII letters, 28 CJK
// characters, 42 Cyrillic or Greek ones, always more than a readable slug
// needs.
const MaxDerivedSlugBytes = 255

// TitleSlug is the slug Prepare gives an article that comes without one:
// the slug of the title in NFC, cut to at most MaxDerivedSlugBytes when
// percent-encoded.
// The cut falls between words (at a hyphen) when that keeps at least half
// the bound, else between two characters, never between a letter or digit
// and the combining marks that follow it (a vowel sign cut from its
// consonant would end the slug with a different syllable). It depends on
// nothing but the title, so whoever predicts an article's slug (an
// importer matching articles by slug) gets the one Prepare will derive.
func TitleSlug(title string) string {
	return cutSlug(Slugify(norm.NFC.String(title)))
}

// LegacyTitleSlug is the slug builds before Slugify kept combining marks
// derived from title in place of TitleSlug (every mark dropped as
// punctuation: "हिन्दी" gave "ह-न-द"), for whoever matches articles an
// older build stored by the slug it gave them. It equals TitleSlug for a
// title without combining marks.
func LegacyTitleSlug(title string) string {
	return cutSlug(slugify(norm.NFC.String(title), false))
}

// cutSlug cuts slug to at most MaxDerivedSlugBytes percent-encoded, as
// TitleSlug describes.
func cutSlug(slug string) string {
	n, end := 0, len(slug)
	for i, r := range slug {
		w := escapedLen(r)
		if n+w > MaxDerivedSlugBytes {
			end = i
			break
		}
		n += w
	}
	if end == len(slug) {
		return slug
	}
	cut := slug[:end]
	if slug[end] != '-' {
		if h := strings.LastIndexByte(cut, '-'); h >= 0 && escapedSize(cut[:h]) >= MaxDerivedSlugBytes/2 {
			cut = cut[:h]
		} else {
			cut = cut[:clusterStart(slug, end)]
		}
	}
	return strings.TrimRight(cut, "-")
}

// clusterStart moves a cut of slug at byte end back before the letter or
// digit whose marks it would split (a slug's marks always follow one, so
// the character at end being a mark means the cut falls inside a
// cluster). A cluster so long that nothing would be left of the slug (one
// letter under a hundred marks) is cut where it was.
func clusterStart(slug string, end int) int {
	i := end
	for i > 0 {
		r, _ := utf8.DecodeRuneInString(slug[i:])
		if !unicode.IsMark(r) {
			break
		}
		_, w := utf8.DecodeLastRuneInString(slug[:i])
		i -= w
	}
	if i == 0 {
		return end
	}
	return i
}

// escapedLen is the size of r in a slug once url.PathEscape has encoded
// it: ASCII letters, digits and the hyphen stand for themselves, every
// other character is each of its UTF-8 bytes as %XX.
func escapedLen(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return 3 * utf8.RuneLen(r)
}

// escapedSize is the size of slug s once percent-encoded.
func escapedSize(s string) int {
	n := 0
	for _, r := range s {
		n += escapedLen(r)
	}
	return n
}

// SlugOf is the slug Prepare gives a: its own, trimmed and in NFC, or, when
// it has none, the one derived from its title (TitleSlug). Whoever matches
// articles by slug before preparing them (an import) predicts it with this.
func SlugOf(a *Article) string {
	if slug := norm.NFC.String(strings.TrimSpace(a.Slug)); slug != "" {
		return slug
	}
	return TitleSlug(a.Title)
}
