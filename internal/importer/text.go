package importer

import (
	"strings"

	"github.com/herald-feeds/herald/internal/herald"
)

// parseText reads a plain-text article.
//
// The first non-empty line is the title. Lines right after it that repeat
// the title (trimmed, case-insensitively) are dropped, as are lines made only
// of '=' or '-' that underline it: both are common ways of writing a title
// in a text file and neither belongs in the body.
//
// The rest is split into paragraphs at blank lines. The lines of one
// paragraph are joined with a single space rather than <br>, because text
// files are usually hard-wrapped at a fixed width and those line ends are
// not meaningful. Text is HTML-escaped; no markup is interpreted.
//
// The slug comes from the file name. PublishedAt stays zero: a text file
// carries no date, and the Sink decides (now for a new article).
func parseText(path string, data []byte) ([]*herald.Article, error) {
	lines := strings.Split(normalizeNewlines(data), "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) {
		return nil, &ParseError{Path: path, Field: "title", Msg: "the file is empty; its first line is the title"}
	}
	title := strings.TrimSpace(lines[i])
	i++
	for i < len(lines) {
		l := strings.TrimSpace(lines[i])
		if strings.EqualFold(l, title) || isUnderline(l) {
			i++
			continue
		}
		break
	}

	return []*herald.Article{{
		Title:       title,
		Slug:        fileSlug(path),
		ContentHTML: paragraphsHTML(lines[i:]),
	}}, nil
}

// isUnderline reports whether l is a run of '=' or of '-' (at least three),
// the way titles are underlined in plain text.
func isUnderline(l string) bool {
	if len(l) < 3 {
		return false
	}
	return strings.Trim(l, "=") == "" || strings.Trim(l, "-") == ""
}
