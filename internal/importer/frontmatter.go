package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-feeds/herald/internal/herald"
)

// frontMatterKeys are the keys a Markdown file's front matter may hold:
// exactly the API's JSON names of the fields a publisher sets. The store
// owns id and updated_at, and content_html is the Markdown body.
var frontMatterKeys = []string{"title", "slug", "url", "summary", "authors", "categories", "tags", "language", "image", "enclosures", "published_at",
	"episode", "season", "episode_type", "transcript_url", "transcript_type", "chapters_url"}

// splitFrontMatter separates YAML front matter, fenced by lines holding only
// "---" (the closing fence may also be "..."), from the body. It returns the
// YAML with its first line at file line 2 (see decodeFrontMatter), the body,
// and the file line the body starts on. Without an opening fence the whole
// text is body.
func splitFrontMatter(path, text string) (yamlText, body string, bodyLine int, err error) {
	first, rest, _ := strings.Cut(text, "\n")
	if strings.TrimRight(first, " \t") != "---" {
		return "", text, 1, nil
	}
	lines := strings.SplitAfter(rest, "\n")
	for i, l := range lines {
		if t := strings.TrimRight(l, " \t\n"); t == "---" || t == "..." {
			return strings.Join(lines[:i], ""), strings.Join(lines[i+1:], ""), i + 3, nil
		}
	}
	return "", "", 0, &ParseError{Path: path, Line: 1, Msg: "front matter opened with --- is never closed by a --- line"}
}

// decodeFrontMatter applies the front matter's keys to a. Unknown keys are
// an error naming the key, so that a misspelt "tag:" does not silently
// drop the tags.
func decodeFrontMatter(path, yamlText string, a *herald.Article) error {
	// One leading newline makes the YAML parser's line numbers equal the
	// file's: the opening fence is line 1 and the first key line 2.
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("\n"+yamlText), &doc); err != nil {
		return &ParseError{Path: path, Msg: "front matter", Err: err}
	}
	if len(doc.Content) == 0 {
		return nil // empty front matter
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return &ParseError{Path: path, Line: root.Line, Msg: "front matter must be a mapping of keys to values"}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := resolve(root.Content[i]), resolve(root.Content[i+1])
		key := k.Value
		if line, dup := seen[key]; dup {
			return &ParseError{Path: path, Line: k.Line, Field: key, Msg: fmt.Sprintf("key given twice (first on line %d)", line)}
		}
		seen[key] = k.Line
		if err := applyKey(a, key, k, v); err != nil {
			return &ParseError{Path: path, Line: err.line, Field: key + err.field, Msg: err.msg}
		}
	}
	return nil
}

// nodeError is a problem with one YAML value: its line and the path from
// the top-level key down to it ("[1].email").
type nodeError struct {
	line  int
	field string
	msg   string
}

func errAt(n *yaml.Node, format string, args ...any) *nodeError {
	return &nodeError{line: n.Line, msg: fmt.Sprintf(format, args...)}
}

// in prefixes the error's field path with the step that led to it.
func (e *nodeError) in(step string) *nodeError {
	e.field = step + e.field
	return e
}

// applyKey decodes one front matter value into the article field it names.
func applyKey(a *herald.Article, key string, k, v *yaml.Node) *nodeError {
	var err *nodeError
	switch key {
	case "title":
		a.Title, err = scalar(v)
	case "slug":
		a.Slug, err = scalar(v)
	case "url":
		a.URL, err = scalar(v)
	case "summary":
		a.Summary, err = scalar(v)
	case "language":
		a.Language, err = scalar(v)
	case "image":
		a.Image, err = scalar(v)
	case "categories":
		a.Categories, err = stringList(v)
	case "tags":
		a.Tags, err = stringList(v)
	case "authors":
		a.Authors, err = authors(v)
	case "enclosures":
		a.Enclosures, err = enclosures(v)
	case "episode":
		a.Episode, err = wholeNumber(v)
	case "season":
		a.Season, err = wholeNumber(v)
	case "episode_type":
		a.EpisodeType, err = scalar(v)
	case "transcript_url":
		a.TranscriptURL, err = scalar(v)
	case "transcript_type":
		a.TranscriptType, err = scalar(v)
	case "chapters_url":
		a.ChaptersURL, err = scalar(v)
	case "published_at":
		var s string
		if s, err = scalar(v); err == nil && s != "" {
			var perr error
			if a.PublishedAt, perr = parseDate(s); perr != nil {
				err = errAt(v, "%v", perr)
			}
		}
	default:
		return errAt(k, "unknown front matter key (known keys: %s)", strings.Join(frontMatterKeys, ", "))
	}
	return err
}

// wholeNumber reads an episode or season number; empty is 0 (none).
func wholeNumber(n *yaml.Node) (int, *nodeError) {
	s, err := scalar(n)
	if err != nil || s == "" {
		return 0, err
	}
	v, perr := strconv.Atoi(s)
	if perr != nil || v < 0 {
		return 0, errAt(n, "must be a whole number of 1 or more, got %q", s)
	}
	return v, nil
}

// resolve follows a YAML alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// scalar returns a scalar's text; null (an empty value) is "".
func scalar(n *yaml.Node) (string, *nodeError) {
	if n.Kind != yaml.ScalarNode {
		return "", errAt(n, "must be a single value, not a list or mapping")
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	return n.Value, nil
}

// stringList accepts a list of values or, for convenience, one value.
func stringList(n *yaml.Node) ([]string, *nodeError) {
	if n.Kind == yaml.ScalarNode {
		s, err := scalar(n)
		if err != nil || s == "" {
			return nil, err
		}
		return []string{s}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "must be a list of values")
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		s, err := scalar(resolve(item))
		if err != nil {
			return nil, err.in(index(i))
		}
		out = append(out, s)
	}
	return out, nil
}

// authors accepts "Name", a list of names, a list of {name, email, url}
// mappings, or a mix: a publisher with only names should not need the
// mapping form.
func authors(n *yaml.Node) ([]herald.Author, *nodeError) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []herald.Author
	for i, item := range items {
		item = resolve(item)
		var au herald.Author
		switch item.Kind {
		case yaml.ScalarNode:
			au.Name, _ = scalar(item)
		case yaml.MappingNode:
			err := eachKey(item, func(key string, k, v *yaml.Node) (err *nodeError) {
				switch key {
				case "name":
					au.Name, err = scalar(v)
				case "email":
					au.Email, err = scalar(v)
				case "url":
					au.URL, err = scalar(v)
				default:
					err = errAt(k, "unknown author key (known keys: name, email, url)")
				}
				return err
			})
			if err != nil {
				return nil, err.in(index(i))
			}
		default:
			return nil, errAt(item, "an author is a name or a mapping with name, email and url").in(index(i))
		}
		out = append(out, au)
	}
	return out, nil
}

// enclosures accepts a list of {url, type, length, duration} mappings, or
// one such mapping.
func enclosures(n *yaml.Node) ([]herald.Enclosure, *nodeError) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []herald.Enclosure
	for i, item := range items {
		item = resolve(item)
		if item.Kind != yaml.MappingNode {
			return nil, errAt(item, "an enclosure is a mapping with url, type, length and duration").in(index(i))
		}
		var e herald.Enclosure
		err := eachKey(item, func(key string, k, v *yaml.Node) *nodeError {
			s, err := scalar(v)
			if err != nil {
				return err
			}
			switch key {
			case "url":
				e.URL = s
			case "type":
				e.Type = s
			case "length":
				var perr error
				if e.Length, perr = strconv.ParseInt(s, 10, 64); perr != nil {
					return errAt(v, "length must be a whole number of bytes, got %q", s)
				}
			case "duration":
				var perr error
				if e.Duration, perr = parseDuration(s); perr != nil {
					return errAt(v, "%v", perr)
				}
			default:
				return errAt(k, "unknown enclosure key (known keys: url, type, length, duration)")
			}
			return nil
		})
		if err != nil {
			return nil, err.in(index(i))
		}
		out = append(out, e)
	}
	return out, nil
}

// eachKey calls fn for every key of a mapping node, in file order, and
// prefixes an error with the key it concerns.
func eachKey(m *yaml.Node, fn func(key string, k, v *yaml.Node) *nodeError) *nodeError {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := resolve(m.Content[i])
		if err := fn(k.Value, k, resolve(m.Content[i+1])); err != nil {
			return err.in("." + k.Value)
		}
	}
	return nil
}

func index(i int) string { return "[" + strconv.Itoa(i) + "]" }

// parseDate accepts an RFC 3339 timestamp or a bare date (midnight UTC),
// the two forms people write in front matter.
func parseDate(s string) (time.Time, error) {
	t, err := herald.ParseTime(s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err == nil && t.IsZero() {
		// Year 1 stands for "no date" from here on, which would become
		// the time of the import.
		return time.Time{}, fmt.Errorf("%q is not a date an article can have: dates fall in the years %d to %d", s, herald.MinYear, herald.MaxYear)
	}
	if err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2026-03-14T09:30:00Z) nor a date (2026-03-14)", s)
}

// parseDuration reads an episode length as whole seconds ("2712") or as
// clock time ("45:12", "1:02:03"), the way podcast show notes give it.
func parseDuration(s string) (int64, error) {
	bad := fmt.Errorf("duration must be whole seconds or [h:]mm:ss, got %q", s)
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, bad
	}
	var total int64
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 || (i > 0 && (n >= 60 || len(p) != 2)) {
			return 0, bad
		}
		total = total*60 + n
	}
	return total, nil
}
