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

		// Media: what is kept, and how its URLs are made absolute.
		{name: "video with poster, sources and track",
			in: `<video src="v.mp4" poster="img/p.jpg" controls preload="metadata" width="640" height="360" playsinline muted loop>` +
				`<source src="v.webm" type='video/webm; codecs="vp9, opus"'><track kind="captions" src="/subs/en.vtt" srclang="en" label="English" default>` +
				`Your reader cannot play <a href="v.mp4">the video</a>.</video>`,
			want: `<video src="https://news.example.com/2026/03/v.mp4" poster="https://news.example.com/2026/03/img/p.jpg" controls="" preload="metadata" width="640" height="360" playsinline="" muted="" loop="">` +
				`<source src="https://news.example.com/2026/03/v.webm" type="video/webm; codecs=&#34;vp9, opus&#34;"/>` +
				`<track kind="captions" src="https://news.example.com/subs/en.vtt" srclang="en" label="English" default=""/>` +
				`Your reader cannot play <a href="https://news.example.com/2026/03/v.mp4">the video</a>.</video>`},
		{name: "audio with a root-relative src", in: `<audio src="/ep1.mp3" controls preload="none"></audio>`,
			want: `<audio src="https://news.example.com/ep1.mp3" controls="" preload="none"></audio>`},
		{name: "audio with protocol-relative sources", in: `<audio controls><source src="//cdn.example.com/ep1.ogg" type="audio/ogg"><source src="ep1.mp3" type="audio/mpeg"></audio>`,
			want: `<audio controls=""><source src="https://cdn.example.com/ep1.ogg" type="audio/ogg"/><source src="https://news.example.com/2026/03/ep1.mp3" type="audio/mpeg"/></audio>`},
		{name: "picture with srcset and sizes",
			in: `<picture><source srcset="a.avif 1x, a@2x.avif 2x" type="image/avif" media="(min-width: 40em)">` +
				`<img src="a.jpg" srcset="a-480.jpg 480w,  /a-800.jpg  800w" sizes="(max-width: 600px) 480px, calc(100vw - 2rem)" alt="A"></picture>`,
			want: `<picture><source srcset="https://news.example.com/2026/03/a.avif 1x, https://news.example.com/2026/03/a@2x.avif 2x" type="image/avif" media="(min-width: 40em)"/>` +
				`<img src="https://news.example.com/2026/03/a.jpg" srcset="https://news.example.com/2026/03/a-480.jpg 480w, https://news.example.com/a-800.jpg 800w" sizes="(max-width: 600px) 480px, calc(100vw - 2rem)" alt="A"/></picture>`},
		{name: "srcset candidates without descriptors, and a comma inside a URL",
			in:   `<img src="a.jpg" srcset="b.jpg, c.jpg 1.5x,"><img src="a.jpg" srcset="d,e.jpg 2x">`,
			want: `<img src="https://news.example.com/2026/03/a.jpg" srcset="https://news.example.com/2026/03/b.jpg, https://news.example.com/2026/03/c.jpg 1.5x"/><img src="https://news.example.com/2026/03/a.jpg" srcset="https://news.example.com/2026/03/d,e.jpg 2x"/>`},
		{name: "srcset that does not parse dropped",
			in: `<img src="a.jpg" srcset="b.jpg 2x"><img src="a.jpg" srcset=",b.jpg"><img src="a.jpg" srcset="b.jpg 2x 3x"><img src="a.jpg" srcset="b.jpg (2x)"><img src="a.jpg" srcset="b.jpg,, c.jpg"><img src="a.jpg" srcset="b.jpg 2q">`,
			want: `<img src="https://news.example.com/2026/03/a.jpg" srcset="https://news.example.com/2026/03/b.jpg 2x"/>` +
				strings.Repeat(`<img src="https://news.example.com/2026/03/a.jpg"/>`, 5)},
		{name: "autoplay, crossorigin and handlers dropped from media",
			in:   `<video src="v.mp4" autoplay crossorigin="use-credentials" onplay="x()" onerror="y()" controls></video><audio src="a.mp3" autoplay onended="z()"></audio><source src="v.mp4" onerror="x()">`,
			want: `<video src="https://news.example.com/2026/03/v.mp4" controls=""></video><audio src="https://news.example.com/2026/03/a.mp3"></audio><source src="https://news.example.com/2026/03/v.mp4"/>`},
		{name: "invalid media attribute values dropped",
			in: `<video src="v.mp4" preload="eager" width="50%" height="-1" controls="no" muted="muted"></video>` +
				`<track src="c.vtt" kind="evil" srclang="en_US!" default="yes"><source src="v.mp4" type="text/html<script>" media="url(javascript:x)" sizes="x:y">`,
			want: `<video src="https://news.example.com/2026/03/v.mp4" muted="muted"></video><track src="https://news.example.com/2026/03/c.vtt"/><source src="https://news.example.com/2026/03/v.mp4"/>`},

		// Media URLs that are not http, https or relative.
		{name: "script and data URLs in poster dropped",
			in: `<video src="v.mp4" poster="javascript:alert(1)"></video><video src="v.mp4" poster=" JAVASCRIPT:alert(1)"></video>` +
				`<video src="v.mp4" poster="&#x6A;avascript&#58;alert(1)"></video><video src="v.mp4" poster="java&#x09;script:alert(1)"></video>` +
				`<video src="v.mp4" poster="&#1;javascript:alert(1)"></video><video src="v.mp4" poster="data:image/png;base64,AAAA"></video>` +
				`<video src="v.mp4" poster="vbscript:msgbox(1)"></video><video src="v.mp4" poster="http:p.jpg"></video>`,
			want: strings.Repeat(`<video src="https://news.example.com/2026/03/v.mp4"></video>`, 8)},
		{name: "script and data URLs in media src dropped",
			in: `<video src="javascript:alert(1)" controls></video><audio src="  JaVaScRiPt:alert(1)" controls></audio>` +
				`<source src="javascript:alert(1)" type="video/mp4"><source src="&#x20;javascript&#x3A;alert(1)" type="video/mp4">` +
				`<source src="data:video/mp4;base64,AAAA" type="video/mp4"><source src="vbscript:x" type="video/mp4">` +
				`<track src="data:text/vtt,WEBVTT"><track src="javascript:alert(1)" kind="captions">`,
			want: `<video controls=""></video><audio controls=""></audio>` + strings.Repeat(`<source type="video/mp4"/>`, 4) + `<track kind="captions"/>`},
		{name: "srcset with a script or data candidate dropped",
			in: `<img src="a.jpg" srcset="b.jpg 2x"><img src="a.jpg" srcset="b.jpg 2x, javascript:alert(1) 3x">` +
				`<img src="a.jpg" srcset="b.jpg 2x, &#x20;data:image/png;base64,AAAA 3x"><img src="a.jpg" srcset="b.jpg 2x,JavaScript:alert(1)">` +
				`<source srcset="vbscript:x 1x" type="image/webp">`,
			want: `<img src="https://news.example.com/2026/03/a.jpg" srcset="https://news.example.com/2026/03/b.jpg 2x"/>` +
				strings.Repeat(`<img src="https://news.example.com/2026/03/a.jpg"/>`, 3) + `<source type="image/webp"/>`},
		{name: "mailto media URL dropped with its element", in: `<img src="mailto:x@example.com"><audio src="mailto:x@example.com" controls></audio>`,
			want: `<audio controls=""></audio>`},
		{name: "media URL that does not parse dropped with its element", in: `<source src="/a%zz.mp4" type="video/mp4"><track src="%zz">`,
			want: `<source type="video/mp4"/>`},
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
	for _, tt := range []struct{ in, keeps string }{
		{in: `<p>Tom &amp; Jerry <a href="../x?a=1&b=2">link</a></p><ul><li>one<li>two</ul><img src="a b.png">`},
		{in: `<table><tr><td>cell</td></tr></table><pre>if a]]>b { }</pre>`},
		{in: `plain text & more`},
		{in: `<video src="v.mp4" poster="p.jpg" controls autoplay><source src="v.webm?a=1&b=2" type='video/webm; codecs="vp9"'><track src="c.vtt" default>Fallback</video>`,
			keeps: `<track src="https://news.example.com/2026/03/c.vtt" default=""/>`},
		{in: `<picture><source srcset="a.avif 1x,a@2x.avif 2x, d,e.avif 3x" media="(width >= 600px)"><img src="a b.jpg" srcset="a.jpg, ./b.jpg?x=1,2 2x" sizes="50vw"></picture>`,
			keeps: `srcset="https://news.example.com/2026/03/a.jpg, https://news.example.com/2026/03/b.jpg?x=1,2 2x"`},
		{in: `<table><tr><td><audio src="/ep1.mp3" controls></audio><source src="/a%zz.mp4" type="video/mp4"><track src="%zz"></td></tr></table>`,
			keeps: `<audio src="https://news.example.com/ep1.mp3" controls=""></audio><source type="video/mp4"/>`},
		{in: `<img src="mailto:x@example.com"><video poster="javascript:x" src="#t=10"></video>`,
			keeps: `<video src="https://news.example.com/2026/03/cafe-concurrency#t=10"></video>`},
	} {
		once := s.HTML(tt.in, base)
		if !strings.Contains(once, tt.keeps) {
			t.Errorf("HTML(%q)=%q, want it to contain %q", tt.in, once, tt.keeps)
		}
		if twice := s.HTML(once, base); twice != once {
			t.Errorf("second pass changed %q:\n once=%q\ntwice=%q", tt.in, once, twice)
		}
	}
}

func TestNoBaseLeavesRelativeURLs(t *testing.T) {
	got := New().HTML(`<a href="/x">x</a>`, "not a url")
	if got != `<a href="/x">x</a>` {
		t.Fatalf("HTML=%q, want the link unchanged when there is no absolute base", got)
	}
	// Media URLs stay relative too, but are still checked.
	in := `<video src=" v.mp4 " poster="javascript:alert(1)"></video><img src="a.jpg" srcset="b.jpg  2x,c.jpg, data:x 3x"><img src="a.jpg" srcset="b.jpg 2x, c.jpg">`
	want := `<video src="v.mp4"></video><img src="a.jpg"/><img src="a.jpg" srcset="b.jpg 2x, c.jpg"/>`
	if got := New().HTML(in, ""); got != want {
		t.Fatalf("HTML(%q)=%q, want %q", in, got, want)
	}
}

// TestAbsolutizeChecksMediaURLs checks the second guard on its own:
// whatever the policy let through, absolutize keeps no media URL but an
// http or https one.
func TestAbsolutizeChecksMediaURLs(t *testing.T) {
	in := `<video src="javascript:alert(1)" poster="data:image/png;base64,AAAA" controls=""></video>` +
		`<img src="vbscript:x" alt="a"/><img src="mailto:x@example.com"/><source src="javascript:x"/>` +
		`<img src="a.jpg" srcset="b.jpg 1x, javascript:alert(1) 2x"/><track src="ftp://example.com/c.vtt"/>` +
		`<a href="/x">x</a>`
	want := `<video controls=""></video><img alt="a"/><img src="https://news.example.com/2026/03/a.jpg"/>` +
		`<a href="https://news.example.com/x">x</a>`
	got, err := absolutize(in, base, -1)
	if err != nil || got != want {
		t.Fatalf("absolutize(%q)=%q, %v; want %q", in, got, err, want)
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

// TestHTMLWithinCountsWhatIsDropped: content whose resolved URLs grow but
// whose dropped parts (unsafe media URLs, srcsets that do not parse) make
// the result shorter than the limit is accepted; the bound holds for the
// result.
func TestHTMLWithinCountsWhatIsDropped(t *testing.T) {
	s := New()
	in := strings.Repeat(`<img src="http:///a.png">`, 20) + strings.Repeat(`<img src="a.png" srcset="a.png 1x 2x">`, 5) + `<a href=b>x</a>`
	want := s.HTML(in, "https://news.example.com/post/")
	if got, err := s.HTMLWithin(in, "https://news.example.com/post/", len(want)); err != nil || got != want {
		t.Errorf("HTMLWithin at the result's own length: %q, %v; want %q", got, err, want)
	}
	if _, err := s.HTMLWithin(in, "https://news.example.com/post/", len(want)-1); err != ErrTooLarge {
		t.Errorf("HTMLWithin one byte short of the result: %v, want ErrTooLarge", err)
	}
}
