package render

import (
	"encoding/xml"
	"html"
	"strings"
	"testing"
	"time"
)

// xmlText is what encoding/xml writes for s as the text of an element.
func xmlText(t *testing.T, s string) string {
	t.Helper()
	out, err := xml.Marshal(struct {
		XMLName xml.Name `xml:"e"`
		S       string   `xml:",chardata"`
	}{S: s})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(strings.TrimPrefix(string(out), "<e>"), "</e>")
}

// FuzzEscapers: on any string clean has passed, our one-pass escapers
// write exactly what encoding/xml would, so escaping some elements
// ourselves changes no byte of any feed.
func FuzzEscapers(f *testing.F) {
	for _, s := range []string{"", "plain", `Fish & chips <cheap> — AT&T's "quoted"`, "a\tb\nc\r\nd", "\x00\x1b\u0085\uFFFD\uFFFE\xff]]>", "日本語 🎉 &amp; &#39;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := clean(s)
		if got, want := xmlEscaper.Replace(c), xmlText(t, c); got != want {
			t.Fatalf("xmlEscaper.Replace(%q)=%q, want %q", c, got, want)
		}
		if got, want := textAsHTMLEscaper.Replace(c), xmlText(t, html.EscapeString(c)); got != want {
			t.Fatalf("textAsHTMLEscaper.Replace(%q)=%q, want %q", c, got, want)
		}
	})
}

// TestTextsKeepEarlierStrings checks that strings taken from texts stay
// as they were while it grows past its first allocation.
func TestTextsKeepEarlierStrings(t *testing.T) {
	var tx texts
	tx.grow(8)
	var got, want []string
	for i := range 200 {
		d := time.Unix(int64(i)*86400, 0).UTC()
		got = append(got, tx.time(d, time.RFC1123Z), tx.add("urn:uuid:", d.Format(time.DateOnly)))
		want = append(want, d.Format(time.RFC1123Z), "urn:uuid:"+d.Format(time.DateOnly))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d=%q, want %q", i, got[i], want[i])
		}
	}
}
