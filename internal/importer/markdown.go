package importer

import (
	"bytes"
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
