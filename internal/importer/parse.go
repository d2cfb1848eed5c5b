package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/herald-feeds/herald/internal/herald"
)

// ErrUnsupported is returned (wrapped in a *ParseError) for a file whose
// extension names no format the importer reads.
var ErrUnsupported = errors.New("unsupported file type")

// format is one input format: how to recognise its files and parse them.
type format struct {
	name  string
	parse func(path string, data []byte) ([]*herald.Article, error)
}

// formatFor chooses the format by the file name's extension, case-insensitively.
// ".feed.json" is checked before ".json" because both end the same way but
// hold different shapes.
func formatFor(path string) (format, bool) {
	name := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasSuffix(name, ".feed.json"), strings.HasSuffix(name, ".rss"),
		strings.HasSuffix(name, ".atom"), strings.HasSuffix(name, ".xml"):
		return format{"feed", parseFeed}, true
	case strings.HasSuffix(name, ".json"):
		return format{"json", parseJSON}, true
	case strings.HasSuffix(name, ".md"), strings.HasSuffix(name, ".markdown"):
		return format{"markdown", parseMarkdown}, true
	case strings.HasSuffix(name, ".txt"):
		return format{"text", parseText}, true
	}
	return format{}, false
}

// Supported reports whether ParseFile reads files named like path.
func Supported(path string) bool {
	_, ok := formatFor(path)
	return ok
}

// ParseFile parses the contents of the file at path into articles, choosing
// the format by the extension: .txt, .md or .markdown, .json, and the feed
// formats .rss, .atom, .xml and .feed.json. Path is used for the extension,
// the default slug and error messages; the file is not read again.
//
// The articles are not validated: the Sink does that with
// herald.Article.Prepare. Errors are *ParseError values carrying the path
// and, where known, the line and field; in a JSON array, articles that do
// not decode are an ArticleErrors of such values, and the articles
// returned beside it are the others, nil in the failed ones' places.
func ParseFile(path string, data []byte) ([]*herald.Article, error) {
	f, ok := formatFor(path)
	if !ok {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("extension %q is not one of .txt, .md, .markdown, .json, .rss, .atom, .xml, .feed.json", filepath.Ext(path)), Err: ErrUnsupported}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // editors on some systems start UTF-8 files with a byte-order mark
	if !utf8.Valid(data) {
		return nil, &ParseError{Path: path, Line: invalidUTF8Line(data), Msg: "not valid UTF-8"}
	}
	if f.name == "json" && isJSONFeed(data) {
		// A JSON Feed saved as plain .json (a feed downloaded as
		// feed.json) is read as the feed it is.
		f = format{"feed", parseFeed}
	}
	return f.parse(path, data)
}

// isJSONFeed reports whether data is a JSON object whose version names a
// JSON Feed version, which no article of the API's shape has.
func isJSONFeed(data []byte) bool {
	var doc struct {
		Version string `json:"version"`
	}
	return json.Unmarshal(data, &doc) == nil && strings.HasPrefix(doc.Version, "https://jsonfeed.org/version/")
}

// invalidUTF8Line returns the line of the first invalid UTF-8 sequence.
func invalidUTF8Line(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return lineOf(data, int64(i))
		}
		i += size
	}
	return 0
}

// fileSlug derives an article's slug from its file name, so that importing
// the same file again finds the same article.
func fileSlug(path string) string {
	base := filepath.Base(path)
	return herald.Slugify(strings.TrimSuffix(base, filepath.Ext(base)))
}

// normalizeNewlines turns CRLF and lone CR line ends into LF, so that the
// line-based parsers see the same text whatever system wrote the file.
func normalizeNewlines(data []byte) string {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
