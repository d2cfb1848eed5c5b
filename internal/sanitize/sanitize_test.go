package sanitize

import (
	"strings"
	"testing"
)

const base = "https://news.example.com/2026/03/cafe-concurrency"

func TestHTMLRules(t *testing.T) {
	s := New()
	tests := []struct {
		name, in string
		want     string   // exact output, when set
		contains []string // substrings the output must have
		absent   []string // substrings it must not have (case-insensitive)
	}{
		{name: "script element dropped with its content", in: `<p>Hi</p><script>alert(1)</script>`, want: `<p>Hi</p>`},
		{name: "event handler dropped", in: `<p onclick="steal()">Hi</p><img src="a.png" onerror="x()">`,
			absent: []string{"onclick", "onerror", "steal"}, contains: []string{`<p>Hi</p>`}},
		{name: "javascript URL dropped", in: `<a href="javascript:alert(1)">x</a><a href="JaVaScRiPt:alert(2)">y</a>`,
			absent: []string{"javascript:"}},
		{name: "entity-obfuscated javascript URL dropped", in: `<a href="jav&#x09;ascript:alert(1)">x</a>`,
			absent: []string{"javascript", "alert"}},
		{name: "data URL image dropped", in: `<img src="data:image/svg+xml;base64,PHN2Zz4=">`, absent: []string{"data:"}},
		{name: "style and iframe dropped", in: `<style>p{}</style><iframe src="https://evil.example"></iframe><p style="color:red">t</p>`,
			want: `<p>t</p>`},
		{name: "relative image becomes absolute", in: `<img src="../img/cafe.jpg" alt="Café">`,
			want: `<img src="https://news.example.com/2026/img/cafe.jpg" alt="Café"/>`},
		{name: "root-relative and fragment links", in: `<a href="/about">a</a> <a href="#note">n</a>`,
			contains: []string{`href="https://news.example.com/about"`, `href="https://news.example.com/2026/03/cafe-concurrency#note"`}},
		{name: "protocol-relative link", in: `<a href="//cdn.example.com/x">x</a>`, contains: []string{`href="https://cdn.example.com/x"`}},
		{name: "absolute and mailto kept", in: `<a href="https://other.example/">o</a><a href="mailto:ed@example.com">m</a>`,
			contains: []string{`href="https://other.example/"`, `href="mailto:ed@example.com"`}},
		{name: "no nofollow added", in: `<a href="https://other.example/">o</a>`, absent: []string{"nofollow"}},
		{name: "unbalanced markup closed", in: `<p>one<p>two<em>three`, want: `<p>one</p><p>two<em>three</em></p>`},
		{name: "entities kept as text", in: `<p>Tom &amp; Jerry &lt;3 &eacute;</p>`, want: `<p>Tom &amp; Jerry &lt;3 é</p>`},
		{name: "blank becomes empty", in: " \n\t ", want: ""},
		{name: "only unsafe becomes empty", in: `<script>x()</script>`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.HTML(tt.in, base)
			if tt.want != "" || (tt.contains == nil && tt.absent == nil) {
				if got != tt.want {
					t.Fatalf("HTML(%q)=%q, want %q", tt.in, got, tt.want)
				}
			}
			for _, c := range tt.contains {
				if !strings.Contains(got, c) {
					t.Errorf("HTML(%q)=%q, want it to contain %q", tt.in, got, c)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(strings.ToLower(got), strings.ToLower(a)) {
					t.Errorf("HTML(%q)=%q, want no %q", tt.in, got, a)
				}
			}
		})
	}
}

// TestIdempotent matters because the API hands stored content back to
// publishers, who send it again on PUT and PATCH: a second pass must not
// change it.
func TestIdempotent(t *testing.T) {
	s := New()
	for _, in := range []string{
		`<p>Tom &amp; Jerry <a href="../x?a=1&b=2">link</a></p><ul><li>one<li>two</ul><img src="a b.png">`,
		`<table><tr><td>cell</td></tr></table><pre>if a]]>b { }</pre>`,
		`plain text & more`,
	} {
		once := s.HTML(in, base)
		if twice := s.HTML(once, base); twice != once {
			t.Errorf("second pass changed %q:\n once=%q\ntwice=%q", in, once, twice)
		}
	}
}

func TestNoBaseLeavesRelativeURLs(t *testing.T) {
	got := New().HTML(`<a href="/x">x</a>`, "not a url")
	if got != `<a href="/x">x</a>` {
		t.Fatalf("HTML=%q, want the link unchanged when there is no absolute base", got)
	}
}

func BenchmarkHTML(b *testing.B) {
	s := New()
	body := strings.Repeat(`<p>Lorem <a href="/x">ipsum</a> dolor &amp; <img src="i.png" alt="">sit amet.</p>`+"\n", 20)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s.HTML(body, base)
	}
}
