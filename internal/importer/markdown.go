package importer

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/herald-feeds/herald/internal/herald"
)

// newMarkdown builds the converter: CommonMark plus the GFM tables,
// strikethrough and bare-URL links. Goldmark's safe default stays on: raw
// HTML in the source is omitted and javascript: links are dropped, because
// feed content is shown by readers that trust it.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
}

// parseMarkdown reads a Markdown article with optional YAML front matter
// (see decodeFrontMatter for the keys).
//
// The title comes from the front matter, else from the first level-1
// heading, which is then removed from the body so that readers do not show
// it twice. A level-1 heading opening the body that repeats the front
// matter title is removed for the same reason. The slug comes from the
// front matter, else the file name.
func parseMarkdown(path string, data []byte) ([]*herald.Article, error) {
	yamlText, body, bodyLine, err := splitFrontMatter(path, normalizeNewlines(data))
	if err != nil {
		return nil, err
	}
	a := &herald.Article{}
	if err := decodeFrontMatter(path, yamlText, a); err != nil {
		return nil, err
	}
	if a.Slug == "" {
		a.Slug = fileSlug(path)
	}

	if line, depth := tooDeep(body, maxNesting); line > 0 {
		return nil, &ParseError{Path: path, Line: bodyLine + line - 1,
			Msg: fmt.Sprintf("lists or block quotes nested about %d deep; at most %d levels are accepted", depth, maxNesting)}
	}
	md := newMarkdown()
	src := []byte(body)
	doc := md.Parser().Parse(text.NewReader(src))
	if h := titleHeading(doc, a.Title == ""); h != nil {
		t, err := headingText(md, src, h)
		if err != nil {
			return nil, &ParseError{Path: path, Msg: "render title", Err: err}
		}
		switch {
		case a.Title == "":
			a.Title = t
			h.Parent().RemoveChild(h.Parent(), h)
		case strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(a.Title)):
			h.Parent().RemoveChild(h.Parent(), h)
		}
	}
	if a.Title == "" {
		return nil, &ParseError{Path: path, Line: bodyLine, Field: "title", Msg: "no title: give one in the front matter or start the text with a # heading"}
	}
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		return nil, &ParseError{Path: path, Msg: "render markdown", Err: err}
	}
	a.ContentHTML = buf.String()
	return []*herald.Article{a}, nil
}

// maxNesting bounds how deeply a Markdown file may nest list items and
// block quotes, as tooDeep estimates it. Goldmark's time grows with
// the square of the depth or worse (8,000 levels of "- " on one line took
// 0.4 s, lists nested 2,800 deep by indentation a minute, and an 8 MiB
// file of markers would take days); no real article comes near the bound.
const maxNesting = 100

// tooDeep returns the first line (1-based) of body nested more than max
// deep, with its depth, or 0. It estimates, for each line outside fenced
// code, how many containers enclose its text: each block-quote marker
// (">") and list marker ("-", "*", "+", "1." or "1)" followed by a space)
// at its start, plus one per two columns of indentation before them (a
// nested list item is indented at least two columns past its parent's).
func tooDeep(body string, max int) (line, depth int) {
	var fence string // the opening fence of the code block we are in
	for n, l := range strings.Split(body, "\n") {
		if f := codeFence(l); f != "" {
			switch {
			case fence == "":
				fence = f
			case f[0] == fence[0] && len(f) >= len(fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		if d := containerDepth(l); d > max {
			return n + 1, d
		}
	}
	return 0, 0
}

// codeFence returns the run of three or more backticks or tildes that
// starts l after its indentation, or "".
func codeFence(l string) string {
	t := strings.TrimLeft(l, " \t")
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	i := 0
	for i < len(t) && t[i] == t[0] {
		i++
	}
	if i < 3 {
		return ""
	}
	return t[:i]
}

// containerDepth is tooDeep's estimate for one line.
func containerDepth(l string) int {
	if isThematicBreak(l) {
		return 0
	}
	cols, i := 0, 0
	for ; i < len(l) && (l[i] == ' ' || l[i] == '\t'); i++ {
		if l[i] == '\t' {
			cols += 4 - cols%4
		} else {
			cols++
		}
	}
	n := cols / 2
	for {
		for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
			i++
		}
		switch {
		case i < len(l) && l[i] == '>':
			i++
		case i < len(l) && strings.IndexByte("-*+", l[i]) >= 0 && (i+1 == len(l) || l[i+1] == ' ' || l[i+1] == '\t'):
			i++
		default:
			j := i
			for j < len(l) && j-i < 9 && l[j] >= '0' && l[j] <= '9' {
				j++
			}
			if j == i || j == len(l) || (l[j] != '.' && l[j] != ')') || (j+1 < len(l) && l[j+1] != ' ' && l[j+1] != '\t') {
				return n
			}
			i = j + 1
		}
		n++
	}
}

// isThematicBreak reports whether l is three or more of one of "-", "*" or
// "_", with nothing but spaces and tabs between them.
func isThematicBreak(l string) bool {
	var mark byte
	count := 0
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c == ' ' || c == '\t':
		case (c == '-' || c == '*' || c == '_') && (mark == 0 || c == mark):
			mark = c
			count++
		default:
			return false
		}
	}
	return count >= 3
}

// titleHeading finds the level-1 heading that may hold the title: the
// first one anywhere when anywhere is true (no title was given), else only
// one that opens the document.
func titleHeading(doc ast.Node, anywhere bool) *ast.Heading {
	if !anywhere {
		h, ok := doc.FirstChild().(*ast.Heading)
		if ok && h.Level == 1 {
			return h
		}
		return nil
	}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 1 {
			return h
		}
	}
	return nil
}

// headingText returns a heading's plain text. It renders the heading and
// strips the tags rather than reading the source, so that emphasis markers,
// backslash escapes and entities come out as a reader would see them.
func headingText(md goldmark.Markdown, src []byte, h *ast.Heading) (string, error) {
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, h); err != nil {
		return "", err
	}
	return strings.TrimSpace(html.UnescapeString(stripTags(buf.String()))), nil
}

// stripTags removes every <…> from rendered HTML. In goldmark's output a
// literal '<' in text is always escaped, so each '<' starts a tag or a
// comment.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
