package importer

import (
	"testing"
)

func TestParseText(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		in        string
		wantTitle string
		wantSlug  string
		wantHTML  string
	}{
		{
			name:      "title then paragraphs",
			path:      "notes/Hello World.txt",
			in:        "Hello, world\n\nFirst line\nwrapped here.\n\nSecond paragraph.\n",
			wantTitle: "Hello, world",
			wantSlug:  "hello-world",
			wantHTML:  "<p>First line wrapped here.</p>\n<p>Second paragraph.</p>\n",
		},
		{
			name:      "leading blank lines and repeated title dropped",
			path:      "a.txt",
			in:        "\n\n  Field Notes  \nfield notes\n  FIELD NOTES\n\nBody.",
			wantTitle: "Field Notes",
			wantSlug:  "a",
			wantHTML:  "<p>Body.</p>\n",
		},
		{
			name:      "underlined title",
			path:      "b.txt",
			in:        "Title\n=====\n\nBody one.\n   \nBody two.\n",
			wantTitle: "Title",
			wantSlug:  "b",
			wantHTML:  "<p>Body one.</p>\n<p>Body two.</p>\n",
		},
		{
			name:      "a line merely starting like the title is body",
			path:      "c.txt",
			in:        "Title\nTitle, continued\n",
			wantTitle: "Title",
			wantSlug:  "c",
			wantHTML:  "<p>Title, continued</p>\n",
		},
		{
			name:      "html is escaped",
			path:      "x.txt",
			in:        "Tom & <b>Jerry</b>\n\n<script>alert(\"x\")</script> & 'q'\n",
			wantTitle: "Tom & <b>Jerry</b>",
			wantSlug:  "x",
			wantHTML:  "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;</p>\n",
		},
		{
			name:      "CRLF and byte-order mark",
			path:      "Windows File.TXT",
			in:        "\xef\xbb\xbfTitle\r\n\r\nOne\r\ntwo\r\n",
			wantTitle: "Title",
			wantSlug:  "windows-file",
			wantHTML:  "<p>One two</p>\n",
		},
		{
			name:      "title only",
			path:      "t.txt",
			in:        "Just a title\n",
			wantTitle: "Just a title",
			wantSlug:  "t",
			wantHTML:  "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParseOne(t, tt.path, tt.in)
			if got.Title != tt.wantTitle {
				t.Errorf("title=%q, want %q", got.Title, tt.wantTitle)
			}
			if got.Slug != tt.wantSlug {
				t.Errorf("slug=%q, want %q", got.Slug, tt.wantSlug)
			}
			if got.ContentHTML != tt.wantHTML {
				t.Errorf("content_html=%q, want %q", got.ContentHTML, tt.wantHTML)
			}
			if !got.PublishedAt.IsZero() {
				t.Errorf("published_at=%v, want zero (the sink decides)", got.PublishedAt)
			}
		})
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct {
		name, in  string
		wantLine  int
		wantField string
	}{
		{"empty", "", 0, "title"},
		{"blank lines only", "\n  \n\t\n", 0, "title"},
		{"invalid UTF-8", "Title\n\nok\nbad \xff byte\n", 4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := mustParseError(t, "p.txt", tt.in)
			if pe.Line != tt.wantLine || pe.Field != tt.wantField {
				t.Fatalf("line=%d field=%q, want line=%d field=%q (%v)", pe.Line, pe.Field, tt.wantLine, tt.wantField, pe)
			}
		})
	}
}
