package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<p>Hello <b>world</b></p>", "Hello world"},
		{"<P>One</P><DIV>two</DIV>", "One two"},
		{"a<br>b<br/>c", "a b c"},
		{"<p>Fish &amp; chips &lt;3 &#39;quoted&#39;</p>", "Fish & chips <3 'quoted'"},
		{"a < b and c", "a < b and c"},
		{"<style>p { color: red }</style>seen<script>alert(1)</script> too", "seen too"},
		{"  lots \n\t of\u00a0space  ", "lots of space"},
		{`<p>x<img src="a.png" alt="ignored">y</p>`, "x y"},
		{"<!-- a comment -->text", "text"},
		{"<verylongtagname>inline</verylongtagname>words", "inlinewords"},
		{"", ""},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTextPrefixStopsEarly(t *testing.T) {
	in := strings.Repeat("<p>ten runes</p>", 1000)
	full := Text(in)
	got := TextPrefix(in, 25)
	if !strings.HasPrefix(full, got) {
		t.Fatalf("TextPrefix %q is not a prefix of Text", got)
	}
	if n := utf8.RuneCountInString(got); n <= 25 || n > 40 {
		t.Errorf("TextPrefix(…, 25) has %d runes, want a few more than 25 and far fewer than the %d of Text", n, utf8.RuneCountInString(full))
	}
}

func FuzzText(f *testing.F) {
	for _, seed := range []string{
		"<p>Hello <b>world</b></p>", "a < b", "<script>x</script>y", "&amp;&#39;&nbsp;", "<p>x</p>\n<p>y</p>",
		"日本語<br>の文章", "\xff<p>\x00bad</p>",
	} {
		f.Add(seed, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in string, n uint8) {
		full := Text(in)
		if strings.HasPrefix(full, " ") || strings.HasSuffix(full, " ") || strings.Contains(full, "  ") {
			t.Fatalf("Text(%q) = %q: spaces at an end or doubled", in, full)
		}
		for _, r := range full {
			if r != ' ' && strings.ContainsRune("\t\n\r\f\v\u0085\u00a0\u2028\u3000", r) {
				t.Fatalf("Text(%q) = %q keeps white space %U", in, full, r)
			}
			if r < 0x20 || r >= 0x7F && r <= 0x9F || r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF {
				t.Fatalf("Text(%q) = %q keeps %U, which no feed carries", in, full, r)
			}
		}
		p := TextPrefix(in, int(n))
		if !strings.HasPrefix(full, p) {
			t.Fatalf("TextPrefix(%q, %d) = %q, not a prefix of Text's %q", in, n, p, full)
		}
		if utf8.RuneCountInString(full) > int(n) && utf8.RuneCountInString(p) <= int(n) {
			t.Fatalf("TextPrefix(%q, %d) = %q stops short of Text's %q", in, n, p, full)
		}
	})
}
