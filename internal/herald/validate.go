package herald

import (
	"errors"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Limits bounds the size of an article's fields. A zero field means its
// value in DefaultLimits.
type Limits struct {
	TitleLength   int // title and slug, in characters
	TextLength    int // summary, in characters
	ContentLength int // content_html, in bytes
	ListLength    int // authors, categories, tags, enclosures each, unless bounded below

	NameLength int // each author name, category and tag, in characters
	URLLength  int // each URL, email address and media type, in bytes
	// Per-list bounds; zero falls back to ListLength.
	Authors, Categories, Tags, Enclosures int
}

// DefaultLimits are generous bounds no real article reaches.
var DefaultLimits = Limits{TitleLength: 1000, TextLength: 10000, ContentLength: 2 << 20, ListLength: 100, NameLength: 200, URLLength: 2048}

// WithDefaults fills every zero field with DefaultLimits'.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	for _, f := range [...]struct {
		v   *int
		def int
	}{
		{&l.TitleLength, d.TitleLength}, {&l.TextLength, d.TextLength}, {&l.ContentLength, d.ContentLength},
		{&l.ListLength, d.ListLength}, {&l.NameLength, d.NameLength}, {&l.URLLength, d.URLLength},
	} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	for _, n := range [...]*int{&l.Authors, &l.Categories, &l.Tags, &l.Enclosures} {
		if *n <= 0 {
			*n = l.ListLength
		}
	}
	return l
}

// Prepare validates a publisher's article and fills what the server
// derives: the slug from the title (TitleSlug), the URL from baseURL and
// the slug, and PublishedAt (now) when it is zero. The title, the slug and
// every author, category and tag name are trimmed and put in Unicode
// normalization form C, so that one visible name is one scope whichever
// way the client's keyboard encoded its accents. Every URL (url, image,
// each author's and enclosure's, transcript_url, chapters_url) is stored
// as the ASCII URI normalizeURL makes of it, so that the API returns what
// every feed format publishes; a valid ASCII URL is kept byte for byte.
// An empty name is refused; a category or tag whose slug an earlier one
// already has is dropped. The first problem found is returned as an
// EInvalid *Error naming the field in the API's JSON shape.
func (a *Article) Prepare(baseURL string, now time.Time, lim Limits) error {
	lim = lim.WithDefaults()
	for _, f := range [...]struct {
		name string
		v    *string
	}{{"title", &a.Title}, {"summary", &a.Summary}, {"content_html", &a.ContentHTML}} {
		if err := cleanText(f.name, f.v); err != nil {
			return err
		}
	}
	for _, f := range [...]struct{ name, v string }{
		{"slug", a.Slug}, {"url", a.URL}, {"image", a.Image}, {"language", a.Language}, {"episode_type", a.EpisodeType},
		{"transcript_url", a.TranscriptURL}, {"transcript_type", a.TranscriptType}, {"chapters_url", a.ChaptersURL},
	} {
		if err := checkToken(f.name, f.v); err != nil {
			return err
		}
	}
	a.Title = norm.NFC.String(strings.TrimSpace(a.Title))
	a.Slug = norm.NFC.String(strings.TrimSpace(a.Slug))
	a.URL = strings.TrimSpace(a.URL)
	a.Image = strings.TrimSpace(a.Image)
	a.Language = strings.TrimSpace(a.Language)
	if a.Title == "" {
		return FieldError(EInvalid, "title", "title is required")
	}
	if utf8.RuneCountInString(a.Title) > lim.TitleLength {
		return FieldError(EInvalid, "title", "title is longer than %d characters", lim.TitleLength)
	}
	if utf8.RuneCountInString(a.Slug) > lim.TitleLength {
		return FieldError(EInvalid, "slug", "slug is longer than %d characters", lim.TitleLength)
	}
	if utf8.RuneCountInString(a.Summary) > lim.TextLength {
		return FieldError(EInvalid, "summary", "summary is longer than %d characters", lim.TextLength)
	}
	if len(a.ContentHTML) > lim.ContentLength {
		return FieldError(EInvalid, "content_html", "content_html is longer than %d bytes", lim.ContentLength)
	}
	derived := a.Slug == ""
	if derived {
		a.Slug = TitleSlug(a.Title)
		if a.Slug == "" {
			return FieldError(EInvalid, "slug", "no slug can be derived from the title; give one (letters and digits, with the combining marks that follow a letter, and hyphens)")
		}
	} else if Slugify(a.Slug) != a.Slug {
		return FieldError(EInvalid, "slug", "slug %q must be lower case letters and digits, each with the combining marks that follow it, in runs separated by single hyphens", a.Slug)
	}
	// The client sent no url, so a URL too long is the slug's doing:
	// name the field it can change.
	slugTooLong := func() error {
		if derived {
			return FieldError(EInvalid, "slug", "the url derived from base_url and the title's slug is longer than %d bytes; give a shorter slug or a url", lim.URLLength)
		}
		return FieldError(EInvalid, "slug", "slug makes the derived url (base_url + \"/\" + slug, percent-encoded) longer than %d bytes; give a shorter slug or a url", lim.URLLength)
	}
	derivedURL := a.URL == ""
	if derivedURL {
		a.URL = rawDerivedURL(baseURL, a.Slug)
		if len(a.URL) > lim.URLLength {
			return slugTooLong()
		}
	}
	if err := lim.checkLengths(a); err != nil {
		return err
	}
	// The lengths are checked again once the URLs are normalised
	// (prepareURL), so that the bound holds for what is published.
	if derivedURL {
		u, err := checkURL("url", a.URL)
		if err != nil {
			return err
		}
		if len(u) > lim.URLLength {
			return slugTooLong()
		}
		a.URL = u
	} else if err := prepareURL("url", &a.URL, lim.URLLength); err != nil {
		return err
	}
	if a.Image != "" {
		if err := prepareURL("image", &a.Image, lim.URLLength); err != nil {
			return err
		}
	}
	if a.Language != "" && !ValidLanguage(a.Language) {
		return FieldError(EInvalid, "language", "language must be a BCP 47 language tag such as \"en\" or \"pt-BR\", got %q", a.Language)
	}
	var err error
	if a.Categories, err = cleanNames("categories", "category", a.Categories, lim.Categories, lim.NameLength); err != nil {
		return err
	}
	if a.Tags, err = cleanNames("tags", "tag", a.Tags, lim.Tags, lim.NameLength); err != nil {
		return err
	}
	if len(a.Authors) > lim.Authors {
		return FieldError(EInvalid, "authors", "at most %d authors", lim.Authors)
	}
	for i := range a.Authors {
		if err := a.Authors[i].prepare("authors["+strconv.Itoa(i)+"]", lim.NameLength, lim.URLLength); err != nil {
			return err
		}
	}
	if len(a.Enclosures) > lim.Enclosures {
		return FieldError(EInvalid, "enclosures", "at most %d enclosures", lim.Enclosures)
	}
	for i := range a.Enclosures {
		if err := a.Enclosures[i].prepare("enclosures["+strconv.Itoa(i)+"]", lim.URLLength); err != nil {
			return err
		}
	}
	if err := a.prepareEpisode(); err != nil {
		return err
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = now
	}
	a.PublishedAt = a.PublishedAt.UTC().Truncate(time.Second)
	return CheckDate("published_at", a.PublishedAt)
}

func (au *Author) prepare(field string, nameLength, urlLength int) error {
	if err := cleanName(field+".name", &au.Name, nameLength); err != nil {
		return err
	}
	for _, f := range [...]struct{ name, v string }{{".email", au.Email}, {".url", au.URL}} {
		if err := checkToken(field+f.name, f.v); err != nil {
			return err
		}
	}
	au.Email = strings.TrimSpace(au.Email)
	au.URL = strings.TrimSpace(au.URL)
	if au.Name == "" {
		return FieldError(EInvalid, field+".name", "author name is required")
	}
	if Slugify(au.Name) == "" {
		return FieldError(EInvalid, field+".name", "author name %q has no letters or digits", au.Name)
	}
	if au.Email != "" && !ValidEmail(au.Email) {
		return FieldError(EInvalid, field+".email", "%s must be a plain email address such as \"grace@example.com\" (ASCII, no name or comment), got %q", field+".email", au.Email)
	}
	if au.URL != "" {
		return prepareURL(field+".url", &au.URL, urlLength)
	}
	return nil
}

func (e *Enclosure) prepare(field string, urlLength int) error {
	for _, f := range [...]struct{ name, v string }{{".url", e.URL}, {".type", e.Type}} {
		if err := checkToken(field+f.name, f.v); err != nil {
			return err
		}
	}
	e.URL = strings.TrimSpace(e.URL)
	e.Type = strings.TrimSpace(e.Type)
	if err := prepareURL(field+".url", &e.URL, urlLength); err != nil {
		return err
	}
	if !validMediaType(e.Type) {
		return FieldError(EInvalid, field+".type", "type must be one MIME type such as \"audio/mpeg\" (no wildcard), got %q", e.Type)
	}
	if e.Length < 0 || e.Length > MaxFeedInteger {
		return FieldError(EInvalid, field+".length", "length must be between 0 and %d bytes", int64(MaxFeedInteger))
	}
	if e.Duration < 0 || e.Duration > MaxFeedInteger {
		return FieldError(EInvalid, field+".duration", "duration must be between 0 and %d seconds", int64(MaxFeedInteger))
	}
	return nil
}

// MaxFeedInteger bounds the numbers an article gives its feeds (an
// enclosure's length and duration): 2^53 - 1, the largest integer a JSON
// Feed reader written in JavaScript, or any reader parsing JSON numbers as
// doubles, reads back exactly.
const MaxFeedInteger = 1<<53 - 1

// validMediaType accepts one concrete media type, type/subtype with
// optional parameters (RFC 9110, 8.3.1): what an enclosure's type
// attribute names. A range such as "audio/*" names no file's type.
func validMediaType(s string) bool {
	mt, _, _ := strings.Cut(s, ";")
	typ, sub, ok := strings.Cut(strings.TrimSpace(mt), "/")
	return ok && isToken(typ) && isToken(sub) && typ != "*" && sub != "*" && !strings.ContainsAny(s, "\r\n")
}

// isToken reports whether s is an HTTP token (RFC 9110, 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// cleanText refuses text that is not valid UTF-8 and removes from *v the
// characters feeds do not carry (Unfit), which every feed would drop
// anyway. What is stored is then what readers get, and no database is
// handed text it refuses (PostgreSQL stores no NUL).
func cleanText(field string, v *string) error {
	if !utf8.ValidString(*v) {
		return FieldError(EInvalid, field, "%s is not valid UTF-8", field)
	}
	*v = RemoveUnfit(*v)
	return nil
}

// RemoveUnfit returns s without the characters feeds do not carry
// (Unfit); s itself when it has none. HTML needs it once more after
// sanitising, which decodes character references (&#x85;) into the
// characters they name.
func RemoveUnfit(s string) string {
	if strings.IndexFunc(s, Unfit) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if Unfit(r) {
			return -1
		}
		return r
	}, s)
}

// checkToken refuses, in a value that must be exact (an address, a slug,
// a media type), text that is not valid UTF-8 or holds a character no
// feed can carry: mending it would change what it names.
func checkToken(field, v string) error {
	if !utf8.ValidString(v) {
		return FieldError(EInvalid, field, "%s is not valid UTF-8", field)
	}
	if i := strings.IndexFunc(v, Unfit); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v[i:])
		return FieldError(EInvalid, field, "%s contains the character U+%04X, which feeds cannot carry", field, r)
	}
	return nil
}

// Unfit reports whether r is a character feeds do not carry: the C0
// controls but tab, line feed and carriage return, and U+FFFE and U+FFFF,
// which XML 1.0 forbids; the C1 controls and U+FFFD, the marks of text
// decoded in the wrong character set, which validators flag and readers
// cannot show. The renderer removes exactly these (a test holds the two
// together), and so free text is stored without them: what is stored is
// what readers get.
func Unfit(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x80 && r <= 0x9F ||
		r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF
}

// prepareURL checks the URL *v (checkURL) and replaces it by its
// normalised form, which must be at most maxBytes long (no bound when
// maxBytes is 0): the bound is on what is stored and published.
func prepareURL(field string, v *string, maxBytes int) error {
	u, err := checkURL(field, *v)
	if err != nil {
		return err
	}
	if maxBytes > 0 && len(u) > maxBytes {
		if u != *v {
			return FieldError(EInvalid, field, "%s is longer than %d bytes once percent-encoded", field, maxBytes)
		}
		return FieldError(EInvalid, field, "%s is longer than %d bytes", field, maxBytes)
	}
	*v = u
	return nil
}

// checkURL accepts only absolute http and https URLs: feeds are read far
// from the site, so a relative link would resolve against the wrong base.
// It returns raw as an ASCII URI (NormalizeURL), the form every feed
// format can carry.
func checkURL(field, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "", FieldError(EInvalid, field, "%s must be an absolute http or https URL, got %q", field, raw)
	}
	// A space is percent-encoded as other bytes a URI forbids are
	// (normalizeURL), as browsers do; a tab or line break is more likely
	// a pasting accident, which browsers would silently drop.
	if strings.ContainsAny(raw, "\t\r\n") {
		return "", FieldError(EInvalid, field, "%s must not contain tabs or line breaks", field)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", FieldError(EInvalid, field, "%s has port %q; a port is a number from 1 to 65535", field, p)
		}
	}
	// Feeds are public: a user name or password in a URL would be
	// published to every reader.
	if u.User != nil {
		return "", FieldError(EInvalid, field, "%s must not carry a user name or password (user@host)", field)
	}
	return normalizeURL(field, raw)
}

// normalizeURL returns raw, an absolute http or https URL without user
// information, tabs or line breaks that url.Parse accepts, as an ASCII URI (RFC
// 3986): RSS requires URLs, Atom IRIs exclude <>"{}|\^` and the feed
// validator refuses both non-ASCII characters and those. A host name
// holding non-ASCII characters is converted by IDNA (idna.Lookup, what
// browsers do); a host name IDNA refuses, or an ASCII one with a character
// no host name may hold, is an EInvalid error naming field. In the path,
// query and fragment, every byte a URI does not allow there (non-ASCII,
// controls, space, " < > [ \ ] ^ ` { | }, a second "#", a "%" that starts
// no escape) is percent-encoded. Everything else, existing %XX escapes and
// the reserved characters included, is left exactly as it is: a valid
// ASCII URL comes back byte for byte, and normalising a result again
// changes nothing.
func normalizeURL(field, raw string) (string, error) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return "", FieldError(EInvalid, field, "%s must be an absolute http or https URL, got %q", field, raw)
	}
	head, rest := raw[:i+3], raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, tail := rest[:end], rest[end:]
	port := ""
	if strings.HasPrefix(host, "[") {
		if j := strings.LastIndexByte(host, ']'); j >= 0 {
			host, port = host[:j+1], host[j+1:]
		}
	} else if j := strings.LastIndexByte(host, ':'); j >= 0 {
		host, port = host[:j], host[j:]
	}
	given := host
	ascii := !hasNonASCII(host)
	if ascii && strings.IndexByte(host, '%') >= 0 && !strings.HasPrefix(host, "[") {
		// A host spelled in escapes of non-ASCII bytes is the same name
		// as its characters: it goes through IDNA too, so that a name is
		// stored one way and one IDNA refuses cannot come in escaped.
		if name, err := url.PathUnescape(host); err != nil || hasNonASCII(name) {
			ascii = false
		}
	}
	switch {
	case strings.HasPrefix(host, "["):
		// An IP literal: url.Parse has checked its shape, not every byte.
		// A zone (fe80::1%25eth0) names a network interface of the
		// machine reading the feed: meaningless in a published URL.
		inner, ok := strings.CutSuffix(host[1:], "]")
		if !ok || !ascii || strings.ContainsFunc(inner, func(r rune) bool { return r != ':' && (r >= utf8.RuneSelf || !hostByte(byte(r))) }) {
			return "", FieldError(EInvalid, field, "%s has the host %q, which is not an IP address", field, host)
		}
		if a, err := netip.ParseAddr(inner); err != nil || a.Zone() != "" || !a.Is6() {
			return "", FieldError(EInvalid, field, "%s has the host %q, which is not an IPv6 address without a zone", field, host)
		}
	case ascii:
		for k := 0; k < len(host); k++ {
			if c := host[k]; !hostByte(c) {
				return "", FieldError(EInvalid, field, "%s has the host %q, which holds %q: no host name can", field, host, c)
			}
		}
		// An ASCII label may still be an internationalized one spelled in
		// Punycode ("xn--…"), which must decode; the other labels keep the
		// looser rules above (an underscore, as in my_host, is common).
		if label, ok := badACELabel(host); !ok {
			return "", FieldError(EInvalid, field, "%s has the host %q, whose label %q is not a valid internationalized domain name label", field, host, label)
		}
	default:
		name, err := url.PathUnescape(host)
		if err == nil && !utf8.ValidString(name) {
			err = errInvalidUTF8 // IDNA would take it for U+FFFD
		}
		if err == nil {
			name, err = idna.Lookup.ToASCII(name)
		}
		if err != nil || name == "" {
			return "", FieldError(EInvalid, field, "%s has the host %q, which is not a valid internationalized domain name", field, host)
		}
		host = name
	}
	rest = EscapeURIPart(tail)
	if host == given && rest == tail {
		return raw, nil // already an ASCII URI: no copy
	}
	return head + host + port + rest, nil
}

// badACELabel checks every label of host that begins with "xn--" (in any
// case), the prefix of a Punycode-encoded internationalized label, and
// returns the first that does not decode to a valid one, and false.
func badACELabel(host string) (string, bool) {
	for label := range strings.SplitSeq(host, ".") {
		if len(label) >= 4 && strings.EqualFold(label[:4], "xn--") {
			if name, err := idna.Lookup.ToASCII(label); err != nil || name == "" {
				return label, false
			}
		}
	}
	return "", true
}

// rawDerivedURL is the URL of an article stored without one, before
// normalisation: base_url, "/", the slug.
func rawDerivedURL(baseURL, slug string) string {
	return strings.TrimRight(baseURL, "/") + "/" + url.PathEscape(slug)
}

// DerivedURL is the URL Prepare gives an article with slug stored without
// one, as published.
func DerivedURL(baseURL, slug string) string {
	return PublishedURL(rawDerivedURL(baseURL, slug))
}

// PublishedURL is raw as feeds publish it: normalised as Prepare stores
// URLs (normalizeURL), or raw itself when it is one already or cannot be
// (an article stored by an older build may hold either). It copies
// nothing for a URL stored by this build.
func PublishedURL(raw string) string {
	if raw == "" {
		return raw
	}
	if u, err := normalizeURL("", raw); err == nil {
		return u
	}
	return raw
}

func hasNonASCII(s string) bool {
	for k := 0; k < len(s); k++ {
		if s[k] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// EscapeURIPart percent-encodes, in s (the path, query and fragment of a
// URL, from the first "/", "?" or "#" on), every byte a URI does not
// allow there, and leaves the rest alone; s itself when nothing needs it.
func EscapeURIPart(s string) string {
	var b []byte // nil until the first byte that needs escaping
	fragment := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		keep := uriByte(c) ||
			c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) ||
			c == '#' && !fragment
		if c == '#' {
			fragment = true
		}
		switch {
		case keep && b != nil:
			b = append(b, c)
		case !keep:
			if b == nil {
				b = make([]byte, i, len(s)+16)
				copy(b, s[:i])
			}
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

const upperHex = "0123456789ABCDEF"

var errInvalidUTF8 = errors.New("invalid UTF-8")

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// uriByte reports whether c stands for itself in a URI's path, query or
// fragment (RFC 3986: pchar, "/" and "?"): an unreserved character, a
// sub-delimiter, ":", "@", "/" or "?". "%" is not one: it starts an escape.
func uriByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0
}

// hostByte reports whether c may appear in a host name (RFC 3986,
// reg-name): an unreserved character, a sub-delimiter or the "%" of an
// escape (url.Parse has checked the escapes).
func hostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-._~!$&'()*+,;=%", c) >= 0
}

// ValidEmail reports whether s is an email address every feed format can
// publish as it is: a bare RFC 5322 addr-spec in ASCII, the form Atom's
// <email>, RSS's <author> and a mailto: link take. net/mail parses it, and
// what it parses must be s itself, so that a display name ("Ann
// <ann@example.com>"), a comment ("ann@example.com (Ann)"), a quoted
// local part or surrounding spaces are refused rather than published half
// read. The domain must be a host name of at least two labels, none
// empty: a domain literal ([192.0.2.1]) or a bare host (ann@localhost)
// reaches no reader. Non-ASCII addresses (RFC 6531) are refused: RSS and
// Atom name RFC 2822's ASCII grammar, and few readers send mail to them.
func ValidEmail(s string) bool {
	if s == "" || hasNonASCII(s) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	if strings.HasPrefix(domain, "[") || !strings.Contains(domain, ".") {
		return false
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return false
		}
	}
	return true
}

// ValidLanguage reports whether s is a valid BCP 47 language tag ("en",
// "pt-BR", "zh-Hant-TW"), which xml:lang, RSS's language and JSON Feed's
// all name: ASCII letters, digits and hyphens that
// golang.org/x/text/language parses without error, so a tag that is not
// well-formed ("en-x", "zz-zz-zz-zz") or has a subtag x/text's copy of
// the IANA registry does not know ("English", "xx") is refused. The
// characters are checked here because x/text also reads "en_US", which
// xml:lang does not allow. The tag is kept as written, not put in its
// canonical form: an article stored with "en-us" renders as it always
// did, and what the API returns is what was sent.
func ValidLanguage(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	_, err := language.Parse(s)
	return err == nil
}
