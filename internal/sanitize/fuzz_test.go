package sanitize

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FuzzHTML checks, for any content, that sanitising twice changes nothing
// and that the output holds no event handler, style, autoplay or
// crossorigin attribute, and no media URL (src, poster, each srcset
// candidate) but an absolute http or https one.
func FuzzHTML(f *testing.F) {
	for _, seed := range []string{
		`<p>Tom &amp; Jerry <a href="../x?a=1&b=2">link</a></p><img src="a b.png">`,
		`<video src="v.mp4" poster="p.jpg" controls autoplay onplay="x()" crossorigin="use-credentials" preload="metadata" width="640" height="360">` +
			`<source src="v.webm" type='video/webm; codecs="vp9"'><track kind="captions" src="c.vtt" srclang="en" label="English" default>Fallback</video>`,
		`<audio src="/ep1.mp3" controls loop muted preload="none"></audio>`,
		`<picture><source srcset="a.avif 1x, a@2x.avif 2x" type="image/avif" media="(min-width: 40em)">` +
			`<img src="a.jpg" srcset="a-480.jpg 480w,a-800.jpg 800w" sizes="(max-width: 600px) 480px, 800px" alt="A"></picture>`,
		`<video poster="&#x6A;avascript:alert(1)" src=" JaVaScRiPt:alert(2)"></video><source src="java&#x09;script:alert(3)">`,
		`<img src="x.png" srcset="b.jpg 2x, data:image/png;base64,AAAA 3x"><img srcset="b.jpg,javascript:alert(1) 2x">`,
		`<source src="vbscript:x" type="video/mp4"><track src="data:text/vtt,WEBVTT"><img src="mailto:x@y" onerror="x()">`,
		`<img src="a.jpg" srcset=" b.jpg  2x ,c.jpg 1.5x, d,e.jpg"><img src="a.jpg" srcset=",b.jpg"><source srcset="a.jpg 2x 3x">`,
		`<table><tr><td><video src="v.mp4"><source src="//cdn.example.com/v.mp4"></video></td></tr></table>`,
		`<source media="url(javascript:x)" sizes="calc(100vw - 2rem)" src="?q=1#t">`,
	} {
		f.Add(seed)
	}
	s := New()
	f.Fuzz(func(t *testing.T, in string) {
		once := s.HTML(in, base)
		if twice := s.HTML(once, base); twice != once {
			t.Fatalf("second pass changed %q:\n once=%q\ntwice=%q", in, once, twice)
		}
		nodes, err := html.ParseFragment(strings.NewReader(once), &html.Node{
			Type: html.ElementNode, Data: "body", DataAtom: atom.Body,
		})
		if err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
		for _, n := range nodes {
			checkSafe(t, n, once)
		}
	})
}

func checkSafe(t *testing.T, n *html.Node, out string) {
	t.Helper()
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"), key == "style", key == "autoplay", key == "crossorigin":
				t.Fatalf("<%s %s> in %q", n.Data, key, out)
			case mediaElements[n.Data] && (key == "src" || key == "poster"):
				checkMediaURL(t, a.Val, out)
			case mediaElements[n.Data] && key == "srcset":
				for c := range strings.SplitSeq(a.Val, ", ") {
					u, desc, _ := strings.Cut(c, " ")
					checkMediaURL(t, u, out)
					if desc != "" && !srcsetDescriptor.MatchString(desc) {
						t.Fatalf("srcset descriptor %q in %q", desc, out)
					}
				}
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		checkSafe(t, c, out)
	}
}

func checkMediaURL(t *testing.T, v, out string) {
	t.Helper()
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || v != strings.TrimSpace(v) {
		t.Fatalf("media URL %q in %q", v, out)
	}
}
