package importer

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestParseMarkdownFrontMatter(t *testing.T) {
	in := `---
title: "Tuning the Antenna"
slug: tuning-the-antenna
url: https://example.com/posts/tuning
summary: How we listen for new feeds.
authors:
  - name: Ada Byron
    email: ada@example.com
    url: https://example.com/ada
  - Grace Hopper
categories: [Engineering, Radio]
tags: feeds
language: en-GB
image: https://example.com/img/antenna.jpg
enclosures:
  - url: https://example.com/audio/ep1.mp3
    type: audio/mpeg
    length: 1234567
    duration: "1:02:03"
published_at: 2026-02-03T10:20:30+01:00
---
# Tuning the Antenna

Some *body* text.
`
	got := mustParseOne(t, "posts/ignored-name.md", in)
	want := &herald.Article{
		Title:   "Tuning the Antenna",
		Slug:    "tuning-the-antenna",
		URL:     "https://example.com/posts/tuning",
		Summary: "How we listen for new feeds.",
		Authors: []herald.Author{
			{Name: "Ada Byron", Email: "ada@example.com", URL: "https://example.com/ada"},
			{Name: "Grace Hopper"},
		},
		Categories:  []string{"Engineering", "Radio"},
		Tags:        []string{"feeds"},
		Language:    "en-GB",
		Image:       "https://example.com/img/antenna.jpg",
		Enclosures:  []herald.Enclosure{{URL: "https://example.com/audio/ep1.mp3", Type: "audio/mpeg", Length: 1234567, Duration: 3723}},
		PublishedAt: time.Date(2026, 2, 3, 9, 20, 30, 0, time.UTC),
		// The heading repeating the title is removed from the body.
		ContentHTML: "<p>Some <em>body</em> text.</p>\n",
	}
	if !got.PublishedAt.Equal(want.PublishedAt) {
		t.Errorf("published_at=%v, want %v", got.PublishedAt, want.PublishedAt)
	}
	got.PublishedAt = want.PublishedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseMarkdownFields(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		in    string
		check func(t *testing.T, a *herald.Article)
	}{
		{"date only is midnight UTC", "d.md", "---\ntitle: T\npublished_at: 2026-03-14\n---\nx\n", func(t *testing.T, a *herald.Article) {
			if want := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
				t.Errorf("published_at=%v, want %v", a.PublishedAt, want)
			}
		}},
		{"quoted date", "d.md", "---\ntitle: T\npublished_at: \"2026-03-14T08:00:00Z\"\n---\n", func(t *testing.T, a *herald.Article) {
			if want := time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
				t.Errorf("published_at=%v, want %v", a.PublishedAt, want)
			}
		}},
		{"single author string", "a.md", "---\ntitle: T\nauthors: Ada Byron\n---\n", func(t *testing.T, a *herald.Article) {
			if want := []herald.Author{{Name: "Ada Byron"}}; !reflect.DeepEqual(a.Authors, want) {
				t.Errorf("authors=%+v, want %+v", a.Authors, want)
			}
		}},
		{"author list of strings", "a.md", "---\ntitle: T\nauthors: [Ada, Grace]\n---\n", func(t *testing.T, a *herald.Article) {
			if want := []herald.Author{{Name: "Ada"}, {Name: "Grace"}}; !reflect.DeepEqual(a.Authors, want) {
				t.Errorf("authors=%+v, want %+v", a.Authors, want)
			}
		}},
		{"title and slug from heading and file name", "notes/My First Post.md", "Intro line.\n\n# The *Real* Title &amp; More\n\nBody.\n", func(t *testing.T, a *herald.Article) {
			if a.Title != "The Real Title & More" || a.Slug != "my-first-post" {
				t.Errorf("title=%q slug=%q, want %q %q", a.Title, a.Slug, "The Real Title & More", "my-first-post")
			}
			if want := "<p>Intro line.</p>\n<p>Body.</p>\n"; a.ContentHTML != want {
				t.Errorf("content_html=%q, want %q", a.ContentHTML, want)
			}
		}},
		{"front matter title keeps a different heading", "h.md", "---\ntitle: Given\n---\n# Other\n", func(t *testing.T, a *herald.Article) {
			if a.Title != "Given" || a.ContentHTML != "<h1>Other</h1>\n" {
				t.Errorf("title=%q content_html=%q, want Given and the heading kept", a.Title, a.ContentHTML)
			}
		}},
		{"raw html is not passed through", "x.md", "# T\n\n<script>alert(1)</script>\n\nHi <b onclick=x>there</b> [l](javascript:alert(1))\n", func(t *testing.T, a *herald.Article) {
			for _, bad := range []string{"<script", "onclick", "<b", "javascript:"} {
				if strings.Contains(a.ContentHTML, bad) {
					t.Errorf("content_html=%q contains %q", a.ContentHTML, bad)
				}
			}
		}},
		{"gfm tables, strikethrough, autolinks", "g.md", "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ see https://example.org\n", func(t *testing.T, a *herald.Article) {
			for _, want := range []string{"<table>", "<td>1</td>", "<del>gone</del>", `<a href="https://example.org">https://example.org</a>`} {
				if !strings.Contains(a.ContentHTML, want) {
					t.Errorf("content_html=%q lacks %q", a.ContentHTML, want)
				}
			}
		}},
		{"empty front matter", "e.md", "---\n---\n# T\n", func(t *testing.T, a *herald.Article) {
			if a.Title != "T" || a.Slug != "e" {
				t.Errorf("title=%q slug=%q, want T e", a.Title, a.Slug)
			}
		}},
		{"clock and second durations", "p.md", "---\ntitle: T\nenclosures:\n  url: https://example.com/a.mp3\n  type: audio/mpeg\n  length: 10\n  duration: 45:07\n---\n", func(t *testing.T, a *herald.Article) {
			if len(a.Enclosures) != 1 || a.Enclosures[0].Duration != 45*60+7 {
				t.Errorf("enclosures=%+v, want one with duration 2707", a.Enclosures)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParseOne(t, tt.path, tt.in))
		})
	}
}

func TestParseMarkdownErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantLine  int
		wantField string
		wantText  string
	}{
		{"unknown key", "---\ntitle: T\ntag: x\n---\n", 3, "tag", "unknown front matter key"},
		{"unknown author key", "---\ntitle: T\nauthors:\n  - name: A\n    mail: a@example.com\n---\n", 5, "authors[0].mail", "unknown author key"},
		{"bad date", "---\ntitle: T\n\npublished_at: 14/03/2026\n---\n", 4, "published_at", "RFC 3339"},
		{"the zero date", "---\ntitle: T\npublished_at: 0001-01-01\n---\n", 3, "published_at", "1000 to 9999"},
		{"bad length", "---\ntitle: T\nenclosures:\n  - url: u\n    length: big\n---\n", 5, "enclosures[0].length", "whole number"},
		{"bad duration", "---\ntitle: T\nenclosures:\n  - duration: 1:75\n---\n", 4, "enclosures[0].duration", "duration"},
		{"list where a value belongs", "---\ntitle: [a, b]\n---\n", 2, "title", "single value"},
		{"duplicate key", "---\ntitle: A\ntitle: B\n---\n", 3, "title", "twice"},
		{"not a mapping", "---\n- a\n---\n", 2, "", "mapping"},
		{"unclosed", "---\ntitle: T\n\nbody\n", 1, "", "never closed"},
		{"no title", "---\nslug: s\n---\n\nJust text.\n", 4, "title", "no title"},
		{"yaml syntax", "---\ntitle: T\n  bad: [\n---\n", 0, "", "line 3"},
		{"lists nested too deep on one line", "---\ntitle: T\n---\n\nIntro\n" + strings.Repeat("- ", maxNesting+1) + "x\n", 6, "", "nested about 101 deep"},
		{"quotes and lists nested too deep", "---\ntitle: T\n---\n" + strings.Repeat("> 1. ", 51) + "x\n", 4, "", "at most 100 levels"},
		{"lists nested too deep by indentation", "# T\n\n" + nestedByIndent(maxNesting+2), maxNesting + 3, "", "nested about 101 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := mustParseError(t, "post.md", tt.in)
			if pe.Line != tt.wantLine || pe.Field != tt.wantField || !strings.Contains(pe.Error(), tt.wantText) {
				t.Fatalf("got line=%d field=%q %q, want line=%d field=%q containing %q", pe.Line, pe.Field, pe.Error(), tt.wantLine, tt.wantField, tt.wantText)
			}
		})
	}
}

// nestedByIndent is a list nested depth deep, one item per line, each
// indented two columns past its parent.
func nestedByIndent(depth int) string {
	var b strings.Builder
	for k := range depth {
		b.WriteString(strings.Repeat(" ", 2*k) + "- item\n")
	}
	return b.String()
}

// TestMarkdownNestingBound: nesting up to the bound is parsed as usual;
// what only looks deep is not refused: a thematic break of many dashes,
// deep indentation inside fenced code.
func TestMarkdownNestingBound(t *testing.T) {
	deep := mustParseOne(t, "deep.md", "# Deep\n\n"+strings.Repeat("- ", maxNesting)+"bottom\n")
	if got := strings.Count(deep.ContentHTML, "<ul>"); got != maxNesting {
		t.Fatalf("%d lists rendered for %d nested markers", got, maxNesting)
	}
	indented := mustParseOne(t, "indented.md", "# Indented\n\n"+nestedByIndent(maxNesting))
	if got := strings.Count(indented.ContentHTML, "<ul>"); got < maxNesting/2 {
		t.Fatalf("only %d lists rendered for a list nested %d deep by indentation", got, maxNesting)
	}
	look := mustParseOne(t, "lookalikes.md", "# Lookalikes\n\n"+strings.Repeat("- ", 3*maxNesting)+"\n\n"+
		"```\n"+strings.Repeat(" ", 4*maxNesting)+"deeply indented code\n"+strings.Repeat("> ", 2*maxNesting)+"\n```\n\nAfter.\n")
	if !strings.Contains(look.ContentHTML, "<hr>") || !strings.Contains(look.ContentHTML, "deeply indented code") || !strings.Contains(look.ContentHTML, "<p>After.</p>") {
		t.Fatalf("lookalikes rendered as:\n%s", look.ContentHTML)
	}
}
