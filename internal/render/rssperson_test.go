package render

import (
	"encoding/xml"
	"net/mail"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestRSSPersonNameIsAComment: an item's <author> and the channel's
// <managingEditor> read back through net/mail, as a whole, as the address
// and the name given, whatever parentheses and backslashes the name
// holds: the name is an RFC 5322 comment, where those are quoted pairs.
func TestRSSPersonNameIsAComment(t *testing.T) {
	tests := []struct{ name, raw string }{
		{"Plain Name", "smiley@example.com (Plain Name)"},
		{"Smiley :)", `smiley@example.com (Smiley :\))`},
		{`Back\slash (open`, `smiley@example.com (Back\\slash \(open)`},
		{"((nested))", `smiley@example.com (\(\(nested\)\))`},
		{`\`, `smiley@example.com (\\)`},
		{")(", `smiley@example.com (\)\()`},
		{"Zoë (she/her) & <Co>", `smiley@example.com (Zoë \(she/her\) & <Co>)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const email = "smiley@example.com"
			ch := siteChannel(herald.FormatRSS)
			ch.Author = herald.Author{Name: tt.name, Email: "editors@example.com"}
			a := &herald.Article{ID: "0c0c0c0c-0000-4000-8000-000000000001", Title: "x", URL: "https://news.example.com/x",
				Authors: []herald.Author{{Name: tt.name, Email: email}}, PublishedAt: day}
			out := mustRender(t, herald.FormatRSS, ch, []*herald.Article{a})
			var doc struct {
				Channel struct {
					ManagingEditor string `xml:"managingEditor"`
					Author         string `xml:"item>author"`
				} `xml:"channel"`
			}
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Channel.Author != tt.raw {
				t.Errorf("<author>=%q, want %q", doc.Channel.Author, tt.raw)
			}
			for _, c := range []struct {
				elem, text string
				want       herald.Author
			}{
				{"author", doc.Channel.Author, a.Authors[0]},
				{"managingEditor", doc.Channel.ManagingEditor, ch.Author},
			} {
				got, err := mail.ParseAddress(c.text)
				if err != nil {
					t.Errorf("<%s>%s: net/mail: %v", c.elem, c.text, err)
					continue
				}
				if got.Address != c.want.Email || got.Name != c.want.Name {
					t.Errorf("<%s>%s reads as address %q, name %q; want %q, %q", c.elem, c.text, got.Address, got.Name, c.want.Email, c.want.Name)
				}
			}
			for _, p := range lint(out) {
				t.Errorf("%s", p)
			}
		})
	}
}
