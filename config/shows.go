package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/herald-feeds/herald/internal/herald"
)

// Show is one podcast show of the shows file (podcast.shows_file). The
// file maps category slugs to shows:
//
//	field-notes:
//	  title: Field Notes Radio
//	  description: Conversations about the small web.
//	  image: https://example.com/art/field-notes-3000.jpg
//	  category: Technology
//	  explicit: false
//	  owner: {name: Priya Raman, email: podcast@example.com}
//
// A list of shows does not fit the one-value-per-key model of
// defaults.yaml (environment variables and flags cannot express it), so the
// configuration holds only the file's path and this loader checks the file
// as strictly: unknown fields are errors, and every error names the show
// and the field.
type Show struct {
	Title       string      `yaml:"title"`
	Description string      `yaml:"description"`
	Image       string      `yaml:"image"`
	Category    string      `yaml:"category"`
	Subcategory string      `yaml:"subcategory"`
	Explicit    bool        `yaml:"explicit"`
	Author      string      `yaml:"author"`
	Owner       ShowOwner   `yaml:"owner"`
	Type        string      `yaml:"type"`
	Language    string      `yaml:"language"`
	GUID        string      `yaml:"guid"`
	Locked      bool        `yaml:"locked"`
	Funding     ShowFunding `yaml:"funding"`
}

// ShowOwner is the show's contact for podcast directories.
type ShowOwner struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
}

// ShowFunding is a link where listeners can support the show.
type ShowFunding struct {
	URL  string `yaml:"url"`
	Text string `yaml:"text"`
}

// podcastGUIDNamespace is the UUID namespace the Podcasting 2.0 guid is
// derived in.
var podcastGUIDNamespace = uuid.MustParse("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

var uuidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// PodcastGUID derives a show's podcast:guid from its feed URL as the
// podcast namespace defines it: a version 5 UUID of the URL without its
// scheme and trailing slashes.
func PodcastGUID(feedURL string) string {
	s := feedURL
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	return uuid.NewSHA1(podcastGUIDNamespace, []byte(strings.TrimRight(s, "/"))).String()
}

// LoadShows reads and checks the shows file at path. baseURL is the site's
// public URL; a show without a guid gets one derived from its RSS feed's
// URL, which is stable as long as that URL is. Type defaults to episodic.
func LoadShows(filePath, baseURL string) (map[string]Show, error) {
	data, err := os.ReadFile(filePath)
	if err != nil {
		return nil, fmt.Errorf("config: podcast.shows_file: %w", err)
	}
	shows, err := parseShows(data, baseURL)
	if err != nil {
		return nil, fmt.Errorf("config: podcast.shows_file: %s: %w", filePath, err)
	}
	return shows, nil
}

func parseShows(data []byte, baseURL string) (map[string]Show, error) {
	// Each show is decoded from its own node, so that an unknown or
	// mistyped field is reported under the show and the field's name.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var nodes map[string]yaml.Node
	if err := dec.Decode(&nodes); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	shows := make(map[string]Show, len(nodes))
	var errs []error
	for _, slug := range slices.Sorted(maps.Keys(nodes)) {
		fail := func(field, format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s.%s: %s", slug, field, fmt.Sprintf(format, args...)))
		}
		if !isSlug(slug) {
			hint := ""
			if s := herald.Slugify(norm.NFC.String(slug)); s != "" && s == norm.NFC.String(slug) {
				// The same characters to the eye, decomposed (an
				// editor on macOS may save them so).
				hint = "; it is not in Unicode normalization form C (NFC), as slugs are: write its accented letters precomposed"
			} else if s != "" {
				hint = fmt.Sprintf("; the category %q has the slug %q", slug, s)
			}
			errs = append(errs, fmt.Errorf("%s: must be a category slug (lower case letters and digits, each with the combining marks that follow it, in runs joined by single hyphens), as in /categories/SLUG/feed.rss%s", slug, hint))
			continue
		}
		node := nodes[slug]
		if node.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Errorf("%s: line %d: must be a mapping of the show's fields", slug, node.Line))
			continue
		}
		if !decodeShowNode(&node, reflect.TypeFor[Show](), "", fail) {
			continue
		}
		var s Show
		if err := node.Decode(&s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", slug, err))
			continue
		}
		s.check(fail)
		if s.Type == "" {
			s.Type = "episodic"
		}
		if s.GUID == "" {
			s.GUID = PodcastGUID(strings.TrimRight(baseURL, "/") + "/categories/" + slug + "/feed.rss")
		}
		shows[slug] = s
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return shows, nil
}

// check reports every problem of s through fail.
func (s *Show) check(fail func(field, format string, args ...any)) {
	if s.Image == "" {
		fail("image", "is required: Apple Podcasts lists no show without artwork")
	} else if !httpURL(s.Image) {
		fail("image", "must be an absolute http(s) URL, got %q", s.Image)
	} else if ext := strings.ToLower(path.Ext(strings.SplitN(s.Image, "?", 2)[0])); ext != ".jpg" && ext != ".jpeg" && ext != ".png" {
		fail("image", "must be a JPEG or PNG file (.jpg, .jpeg or .png), got %q", s.Image)
	}
	subs, ok := appleCategories[s.Category]
	switch {
	case s.Category == "":
		fail("category", "is required: an Apple Podcasts category such as \"Technology\"")
	case !ok:
		fail("category", "%q is not an Apple Podcasts category", s.Category)
	case s.Subcategory != "" && len(subs) == 0:
		fail("subcategory", "%q has no subcategories; leave subcategory out", s.Category)
	case s.Subcategory != "" && !slices.Contains(subs, s.Subcategory):
		fail("subcategory", "%q is not a subcategory of %q (its subcategories: %s)", s.Subcategory, s.Category, strings.Join(subs, ", "))
	}
	if s.Owner.Email == "" {
		fail("owner.email", "is required: directories write to it to confirm who owns the show")
	} else if !herald.ValidEmail(s.Owner.Email) {
		fail("owner.email", "must be a bare email address, got %q", s.Owner.Email)
	}
	if s.Type != "" && s.Type != "episodic" && s.Type != "serial" {
		fail("type", "must be episodic or serial, got %q", s.Type)
	}
	if s.Language != "" && !herald.ValidLanguage(s.Language) {
		fail("language", "must be a language tag such as en or pt-BR, got %q", s.Language)
	}
	if s.GUID != "" && !uuidShape.MatchString(s.GUID) {
		fail("guid", "must be a UUID (36 characters with four hyphens), got %q", s.GUID)
	}
	if s.Funding.URL != "" && !httpURL(s.Funding.URL) {
		fail("funding.url", "must be an absolute http(s) URL, got %q", s.Funding.URL)
	}
	if s.Funding.Text != "" && s.Funding.URL == "" {
		fail("funding.text", "needs a funding.url")
	}
	if len([]rune(s.Funding.Text)) > 128 {
		fail("funding.text", "must be at most 128 characters; apps cut longer ones")
	}
	for field, v := range map[string]string{"title": s.Title, "author": s.Author, "owner.name": s.Owner.Name} {
		if len([]rune(v)) > 255 {
			fail(field, "must be at most 255 characters (Apple's limit)")
		}
	}
	// The show's texts reach its feeds and pages as site.* does.
	for _, f := range []struct{ field, v string }{
		{"title", s.Title}, {"description", s.Description}, {"author", s.Author},
		{"owner.name", s.Owner.Name}, {"funding.text", s.Funding.Text},
	} {
		if err := feedText(f.v); err != nil {
			fail(f.field, "%s", err.Error())
		}
	}
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n")
}

// isSlug reports whether s is a slug herald.Slugify gives, so that a show
// can be keyed by the slug of any category: lower-case letters and digits,
// the combining marks that follow them (the vowel signs of "हिन्दी"), and
// single hyphens between runs. A slug is what Slugify leaves unchanged, so
// a key with marks that is not in NFC is refused: Slugify drops its marks,
// and the category's slug (from its name in NFC) is spelled otherwise.
func isSlug(s string) bool {
	return s != "" && herald.Slugify(s) == s
}

// decodeShowNode checks, before decoding, that every key of the mapping
// node is a field of t (yaml tags), and that each value has the kind its
// field needs, reporting each problem through fail under its dotted name
// (prefix) with its line. It reports whether all was well.
func decodeShowNode(node *yaml.Node, t reflect.Type, prefix string, fail func(field, format string, args ...any)) bool {
	ok := true
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		name := prefix + k.Value
		f, found := yamlField(t, k.Value)
		if !found {
			fail(name, "line %d: unknown field (known here: %s)", k.Line, yamlFieldNames(t))
			ok = false
			continue
		}
		switch f.Type.Kind() {
		case reflect.Struct:
			if v.Kind != yaml.MappingNode {
				fail(name, "line %d: must be a mapping of %s", v.Line, yamlFieldNames(f.Type))
				ok = false
			} else if !decodeShowNode(v, f.Type, name+".", fail) {
				ok = false
			}
		case reflect.Bool:
			var b bool
			if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
				fail(name, "line %d: must be true or false, got %q", v.Line, v.Value)
				ok = false
			}
		case reflect.String:
			if v.Kind != yaml.ScalarNode {
				fail(name, "line %d: must be text, not a list or mapping", v.Line)
				ok = false
			}
		}
	}
	return ok
}

// yamlField finds the field of struct type t that the key name fills.
func yamlField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); strings.Split(f.Tag.Get("yaml"), ",")[0] == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// yamlFieldNames lists the keys struct type t takes.
func yamlFieldNames(t reflect.Type) string {
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		names = append(names, strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0])
	}
	return strings.Join(names, ", ")
}
