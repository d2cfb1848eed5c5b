package herald

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"
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
// kept (any script), every other run of characters turned into one hyphen,
// no hyphen at either end. "Go & Rust: 2026" becomes "go-rust-2026".
//
// Slugify takes the name as it is. Prepare puts every name in Unicode
// normalization form C first, so that "Café" typed with a precomposed é
// and with e + U+0301 (as macOS file names and some keyboards give it) are
// one category, "café"; a decomposed name alone would lose its accent as
// punctuation ("cafe"). Slugify itself does not normalise, so that the
// names an older build stored decomposed still give the scopes their rows
// are filed under, and a write replacing such an article invalidates
// them. A path segment in another form than its slug's (a decomposed slug
// in a feed URL) is not its own slug: Slugify(s) != s.
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			continue
		}
		hyphen = true
	}
	return b.String()
}

// FeedPath is the URL path of the scope's feed in format f:
// /feed.rss for the site, /categories/{slug}/feed.rss, /tags/{slug}/…,
// /authors/{slug}/…. Slugs hold only letters, digits and hyphens, so they
// are escaped for non-ASCII letters only.
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
