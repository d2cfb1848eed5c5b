package herald

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ScopeKind is the kind of set of articles a feed covers.
type ScopeKind string

// The scope kinds. A podcast show is a category with show metadata.
const (
	ScopeSite     ScopeKind = "site"
	ScopeCategory ScopeKind = "category"
	ScopeTag      ScopeKind = "tag"
	ScopeAuthor   ScopeKind = "author"
)

// Scope identifies one feed's set of articles: the whole site, or one
// category, tag or author by slug.
type Scope struct {
	Kind ScopeKind
	Slug string
}

// SiteScope is the scope of the whole site's feed.
var SiteScope = Scope{Kind: ScopeSite}

// Key is the scope's stable string form ("site", "category:go"), used in
// store rows and cache keys.
func (s Scope) Key() string {
	if s.Kind == ScopeSite {
		return string(ScopeSite)
	}
	return string(s.Kind) + ":" + s.Slug
}

// String implements fmt.Stringer.
func (s Scope) String() string { return s.Key() }

// ParseScopeKey is the inverse of Scope.Key.
func ParseScopeKey(key string) (Scope, error) {
	if key == string(ScopeSite) {
		return SiteScope, nil
	}
	kind, slug, ok := strings.Cut(key, ":")
	switch ScopeKind(kind) {
	case ScopeCategory, ScopeTag, ScopeAuthor:
		if ok && slug != "" {
			return Scope{Kind: ScopeKind(kind), Slug: slug}, nil
		}
	}
	return Scope{}, fmt.Errorf("herald: bad scope key %q", key)
}

// Slugify derives the URL slug of a name: lower case, letters and digits
// kept (any script) with the combining marks that follow them, every other
// run of characters turned into one hyphen, no hyphen at either end.
// "Go & Rust: 2026" becomes "go-rust-2026", "हिन्दी समाचार" (whose vowel
// signs and virama are marks) "हिन्दी-समाचार".
//
// A combining mark (Unicode categories Mn, Mc and Me: Indic vowel signs
// and viramas, Thai vowels and tone marks, Arabic harakat, Hebrew niqqud,
// accents no precomposed letter holds) belongs to the letter or digit
// before it, so it is kept when it follows a kept letter, digit or mark of
// the same word. One at the start of a word, or right after a separator,
// has nothing to belong to and is dropped like punctuation. Builds before
// this rule dropped every mark and cut such words into pieces, so that
// different names shared a slug; each store rewrites the rows those
// builds derived, once, as it opens (its migration NNNN_slug_marks).
//
// Slugify takes the name as it is. Prepare puts every name in Unicode
// normalization form C first, so that "Café" typed with a precomposed é
// and with e + U+0301 (as macOS file names and some keyboards give it) are
// one category, "café". A name that is not in form C once lower-cased
// (only builds older than that normalisation stored such names) keeps the
// old rule, every mark dropped as punctuation ("Cafe" + U+0301 gives
// "cafe"): so such names still give the scopes their rows are filed under,
// a write replacing such an article invalidates them, and a path segment
// in another form than its slug's (a decomposed slug in a feed URL) is not
// its own slug: Slugify(s) != s, and the HTTP layer redirects it to its
// form C spelling. Slugify itself never normalises; the slug of a name in
// form C is in form C.
func Slugify(name string) string {
	return slugify(name, true)
}

// slugify is Slugify, and with marks false the rule of the builds before
// marks were kept: letters and digits only.
func slugify(name string, marks bool) string {
	lower := strings.ToLower(name)
	var b strings.Builder
	hyphen := false
	inWord := false // the last character was kept: a mark may follow it
	normal := 0     // whether lower is in NFC, read at the first mark: 1 yes, -1 no
	for _, r := range lower {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case inWord && marks && unicode.IsMark(r) && formC(lower, &normal):
		default:
			hyphen, inWord = true, false
			continue
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen, inWord = false, true
		b.WriteRune(r)
	}
	return b.String()
}

// formC reports whether s is in normalization form C, checking once per
// Slugify call (state 0 until checked) and only when a mark could be kept,
// so that names without marks (most, and every ASCII one) never pay for
// the check.
func formC(s string, state *int) bool {
	if *state == 0 {
		*state = -1
		if norm.NFC.IsNormalString(s) {
			*state = 1
		}
	}
	return *state > 0
}

// FeedPath is the URL path of the scope's feed in format f:
// /feed.rss for the site, /categories/{slug}/feed.rss, /tags/{slug}/…,
// /authors/{slug}/…. Slugs hold only letters, digits, their marks and
// hyphens, so they are escaped for characters outside ASCII only.
func (s Scope) FeedPath(f Format) string {
	file := "feed." + string(f)
	switch s.Kind {
	case ScopeCategory:
		return "/categories/" + url.PathEscape(s.Slug) + "/" + file
	case ScopeTag:
		return "/tags/" + url.PathEscape(s.Slug) + "/" + file
	case ScopeAuthor:
		return "/authors/" + url.PathEscape(s.Slug) + "/" + file
	}
	return "/" + file
}

// kindOrder is the order in which listings show scope kinds.
var kindOrder = map[ScopeKind]int{ScopeSite: 0, ScopeCategory: 1, ScopeTag: 2, ScopeAuthor: 3}

// SortScopes orders a listing by kind (site, category, tag, author), then
// slug, so every store lists scopes the same way.
func SortScopes(list []ScopeInfo) {
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i].Scope, list[j].Scope
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		return a.Slug < b.Slug
	})
}
