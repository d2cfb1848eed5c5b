package sanitize

import "testing"

// Browsers follow a link or load an image whose address holds a space;
// the sanitiser used to drop such an address (bluemonday refuses URLs with
// spaces), leaving a link without a target and an image without a source.
func TestURLsWithSpacesAreEncoded(t *testing.T) {
	s := New()
	for _, tc := range []struct{ in, want string }{
		{`<a href="a b.html">x</a>`, `<a href="https://news.example.com/post/a%20b.html">x</a>`},
		{`<a href="https://ex.com/a b?q=c d#e f">y</a>`, `<a href="https://ex.com/a%20b?q=c%20d#e%20f">y</a>`},
		{`<img src="my pic.png" alt="p">`, `<img src="https://news.example.com/post/my%20pic.png" alt="p"/>`},
		{"<a href=\"https://ex.com/split\n  path\">z</a>", `<a href="https://ex.com/split%20%20path">z</a>`},
		{"<a href=\"https://ex.com/tab\there\">t</a>", `<a href="https://ex.com/tabhere">t</a>`},
		{`<blockquote cite="https://ex.com/a quote">q</blockquote>`, `<blockquote cite="https://ex.com/a%20quote">q</blockquote>`},
		{`<video src="clip one.mp4" poster="still one.jpg"></video>`, `<video src="https://news.example.com/post/clip%20one.mp4" poster="https://news.example.com/post/still%20one.jpg"></video>`},
		// Still refused with the space encoded: the scheme decides.
		{`<a href="javascript:alert(1) //x">j</a>`, `j`},
		// A colon in the first segment of a relative reference does not
		// parse: dropped, as before.
		{`<a href="java script:alert(1)">j</a>`, `j`},
		// Nothing else in the fragment changes.
		{`<p title="a b">Tom &amp; Jerry <a href="ok.html">ok</a></p>`, `<p title="a b">Tom &amp; Jerry <a href="https://news.example.com/post/ok.html">ok</a></p>`},
	} {
		if got := s.HTML(tc.in, "https://news.example.com/post/"); got != tc.want {
			t.Errorf("HTML(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
