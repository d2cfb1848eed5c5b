package herald

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// withDefaults fills every zero field.
func (l Limits) withDefaults() Limits {
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
// way the client's keyboard encoded its accents. An empty name is refused;
// a category or tag whose slug an earlier one already has is dropped. The
// first problem found is returned as an EInvalid *Error naming the field
// in the API's JSON shape.
func (a *Article) Prepare(baseURL string, now time.Time, lim Limits) error {
	lim = lim.withDefaults()
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
			return FieldError(EInvalid, "slug", "no slug can be derived from the title; give one (letters, digits and hyphens)")
		}
	} else if Slugify(a.Slug) != a.Slug {
		return FieldError(EInvalid, "slug", "slug %q must be lower case letters and digits separated by single hyphens", a.Slug)
	}
	if a.URL == "" {
		a.URL = strings.TrimRight(baseURL, "/") + "/" + url.PathEscape(a.Slug)
		// The client sent no url, so a URL too long is the slug's doing:
		// name the field it can change.
		if len(a.URL) > lim.URLLength {
			if derived {
				return FieldError(EInvalid, "slug", "the url derived from base_url and the title's slug is longer than %d bytes; give a shorter slug or a url", lim.URLLength)
			}
			return FieldError(EInvalid, "slug", "slug makes the derived url (base_url + \"/\" + slug, percent-encoded) longer than %d bytes; give a shorter slug or a url", lim.URLLength)
		}
	}
	if err := lim.checkLengths(a); err != nil {
		return err
	}
	if err := checkURL("url", a.URL); err != nil {
		return err
	}
	if a.Image != "" {
		if err := checkURL("image", a.Image); err != nil {
			return err
		}
	}
	if a.Language != "" && !validLanguage(a.Language) {
		return FieldError(EInvalid, "language", "language %q is not a language tag such as \"en\" or \"pt-BR\"", a.Language)
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
		if err := a.Authors[i].prepare("authors["+strconv.Itoa(i)+"]", lim.NameLength); err != nil {
			return err
		}
	}
	if len(a.Enclosures) > lim.Enclosures {
		return FieldError(EInvalid, "enclosures", "at most %d enclosures", lim.Enclosures)
	}
	for i := range a.Enclosures {
		if err := a.Enclosures[i].prepare("enclosures[" + strconv.Itoa(i) + "]"); err != nil {
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

func (au *Author) prepare(field string, nameLength int) error {
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
	if au.Email != "" && !validEmail(au.Email) {
		return FieldError(EInvalid, field+".email", "%q is not an email address", au.Email)
	}
	if au.URL != "" {
		return checkURL(field+".url", au.URL)
	}
	return nil
}

func (e *Enclosure) prepare(field string) error {
	for _, f := range [...]struct{ name, v string }{{".url", e.URL}, {".type", e.Type}} {
		if err := checkToken(field+f.name, f.v); err != nil {
			return err
		}
	}
	e.URL = strings.TrimSpace(e.URL)
	e.Type = strings.TrimSpace(e.Type)
	if err := checkURL(field+".url", e.URL); err != nil {
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

// checkURL accepts only absolute http and https URLs: feeds are read far
// from the site, so a relative link would resolve against the wrong base.
func checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return FieldError(EInvalid, field, "%s must be an absolute http or https URL, got %q", field, raw)
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return FieldError(EInvalid, field, "%s must not contain whitespace", field)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return FieldError(EInvalid, field, "%s has port %q; a port is a number from 1 to 65535", field, p)
		}
	}
	// Feeds are public: a user name or password in a URL would be
	// published to every reader.
	if u.User != nil {
		return FieldError(EInvalid, field, "%s must not carry a user name or password (user@host)", field)
	}
	return nil
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n<>\"") && strings.Contains(s[at:], ".")
}

// validLanguage accepts the shape of a BCP 47 tag: subtags of 1 to 8
// letters or digits separated by hyphens, the first one letters only.
func validLanguage(s string) bool {
	for i, sub := range strings.Split(s, "-") {
		if len(sub) < 1 || len(sub) > 8 {
			return false
		}
		for _, r := range sub {
			isLetter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
			if !isLetter && (i == 0 || r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}
