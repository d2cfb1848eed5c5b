package herald

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rfc3986URI matches an absolute URI of RFC 3986 with an authority and no
// user information: every byte one the grammar allows where it stands, %
// only in escapes. The feed validator's check is looser everywhere but in
// the host ([ and ] only around an IP literal).
var rfc3986URI = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://` +
	`(?:(?:[A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*|\[[A-Za-z0-9._~!$&'()*+,;=:%-]*\])(?::[0-9]*)?` +
	`(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*` +
	`(?:\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?` +
	`(?:#(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$`)

// TestPrepareNormalizesURLs: every URL of an article is stored, so
// returned and published, as an ASCII URI.
func TestPrepareNormalizesURLs(t *testing.T) {
	a := &Article{
		Title:         "x",
		URL:           "https://example.com/a<b>",
		Authors:       []Author{{Name: "A", URL: "https://example.com/ñ"}, {Name: "B", URL: "https://exämple.com/x"}},
		Enclosures:    []Enclosure{{URL: "https://example.com/ép1.mp3", Type: "audio/mpeg"}, {URL: "https://example.com/a\\b", Type: "audio/mpeg"}},
		TranscriptURL: "https://example.com/a{b}|c^d.vtt",
		ChaptersURL:   "https://example.com/\"q\"`x`",
		// A space inside is encoded as browsers encode it.
		Image: "https://example.com/my image.png",
	}
	if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	for _, c := range []struct{ field, got, want string }{
		{"url", a.URL, "https://example.com/a%3Cb%3E"},
		{"image", a.Image, "https://example.com/my%20image.png"},
		{"authors[0].url", a.Authors[0].URL, "https://example.com/%C3%B1"},
		{"authors[1].url", a.Authors[1].URL, "https://xn--exmple-cua.com/x"},
		{"enclosures[0].url", a.Enclosures[0].URL, "https://example.com/%C3%A9p1.mp3"},
		{"enclosures[1].url", a.Enclosures[1].URL, "https://example.com/a%5Cb"},
		{"transcript_url", a.TranscriptURL, "https://example.com/a%7Bb%7D%7Cc%5Ed.vtt"},
		{"chapters_url", a.ChaptersURL, "https://example.com/%22q%22%60x%60"},
	} {
		if c.got != c.want {
			t.Errorf("%s=%q, want %q", c.field, c.got, c.want)
		}
	}
	if a.TranscriptType != "text/vtt" {
		t.Errorf("transcript_type=%q, want text/vtt from the normalised URL", a.TranscriptType)
	}
	// Preparing the stored article again (a PATCH, a re-import) changes
	// nothing.
	b := a.Clone()
	if err := b.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare again: %v", err)
	}
	if !a.SameAs(b) {
		t.Errorf("preparing again changed the article:\n%+v\n%+v", a, b)
	}
}

func TestNormalizeURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Valid ASCII URLs come back byte for byte: case, escapes in
		// either case, reserved characters, the query's order.
		{"https://example.com", ""},
		{"HTTPS://Example.COM:8443/p;a=b/c@d:e,f?y=2&x=1&y=0#frag/?x", ""},
		{"https://example.com/%e2%82%ac%7E?q=%2F&r=a+b", ""},
		{"https://example.com/a?b?c=d#", ""},
		{"https://example.com/?", ""},
		{"http://[::1]:8080/a", ""},
		{"https://XN--EXMPLE-CUA.com/", ""},         // valid Punycode, kept as given
		{"https://my_host.xn--exmple-cua.com/", ""}, // other labels keep the looser rules
		// A host spelled in escapes of non-ASCII bytes is its IDNA name.
		{"https://ex%C3%A4mple.com/", "https://xn--exmple-cua.com/"},
		{"https://my_host.example.com/~u/!$&'()*+,;=", ""},
		{"https://example.com:/a", ""},
		// Characters no URI holds are escaped; valid escapes stay.
		{"https://example.com/a<b>", "https://example.com/a%3Cb%3E"},
		{"https://example.com/a{b}|c^d", "https://example.com/a%7Bb%7D%7Cc%5Ed"},
		{"https://example.com/a\\b", "https://example.com/a%5Cb"},
		{"https://example.com/a%20b%3C?q=\"%41\"", "https://example.com/a%20b%3C?q=%22%41%22"},
		{"https://example.com/a[1]?x[]=2#y[3]", "https://example.com/a%5B1%5D?x%5B%5D=2#y%5B3%5D"},
		{"https://example.com/a#b#c", "https://example.com/a#b%23c"},
		{"https://example.com/?q=100%&r=%zz&s=%4", "https://example.com/?q=100%25&r=%25zz&s=%254"},
		{"https://example.com/é?é=ü#ö", "https://example.com/%C3%A9?%C3%A9=%C3%BC#%C3%B6"},
		{"https://example.com/\u00a0\u3000", "https://example.com/%C2%A0%E3%80%80"},
		// Hosts with non-ASCII characters go through IDNA, port kept.
		{"https://exämple.com/x", "https://xn--exmple-cua.com/x"},
		{"https://ExÄmple.COM:8080", "https://xn--exmple-cua.com:8080"},
		{"https://bücher.de?ü", "https://xn--bcher-kva.de?%C3%BC"},
		{"https://ｅｘａｍｐｌｅ.com/", "https://example.com/"},
		{"https://straße.de/", "https://xn--strae-oqa.de/"},
		{"https://ex%C3%A4mplé.com/", "https://xn--exmpl-hra2b.com/"},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, err := checkURL("url", c.in)
		if err != nil {
			t.Errorf("checkURL(%q): %v", c.in, err)
			continue
		}
		if got != want {
			t.Errorf("checkURL(%q)=%q, want %q", c.in, got, want)
		}
		if again, err := checkURL("url", got); err != nil || again != got {
			t.Errorf("checkURL(%q)=%q, %v; want it unchanged", got, again, err)
		}
		if !rfc3986URI.MatchString(got) {
			t.Errorf("checkURL(%q)=%q, not an RFC 3986 URI", c.in, got)
		}
	}
}

// TestPrepareRejectsURLs: hosts IDNA or URIs refuse, and URLs too long
// once normalised, are 422s naming the field.
func TestPrepareRejectsURLs(t *testing.T) {
	lim := Limits{URLLength: 40}
	long := "https://e.com/" + strings.Repeat("é", 10) // 34 bytes, 74 encoded
	for _, c := range []struct {
		name  string
		a     Article
		field string
	}{
		{"host IDNA refuses", Article{Title: "x", URL: "https://ex_ämple.com/"}, "url"},
		{"host of invalid UTF-8 escapes", Article{Title: "x", Image: "https://%C3%C3é.com/i.png"}, "image"},
		{"host with a symbol", Article{Title: "x", URL: "https://a<b.com/"}, "url"},
		{"host with a space", Article{Title: "x", URL: "https://a b.com/"}, "url"},
		{"tab", Article{Title: "x", URL: "https://ab.com/a\tb"}, "url"},
		{"line break", Article{Title: "x", Image: "https://ab.com/a\nb.png"}, "image"},
		{"escaped host IDNA refuses", Article{Title: "x", URL: "https://%E2%80%AEmoc.evil/"}, "url"},
		{"host with a colon", Article{Title: "x", URL: "https://a:b:80/"}, "url"},
		{"IP literal with a non-ASCII zone", Article{Title: "x", URL: "http://[fe80::1%25é]/"}, "url"},
		{"IP literal with a zone", Article{Title: "x", URL: "http://[fe80::1%25en0]/"}, "url"},
		{"IPv4 in brackets", Article{Title: "x", URL: "http://[192.0.2.1]/"}, "url"},
		{"empty Punycode label", Article{Title: "x", URL: "http://xn--/"}, "url"},
		{"Punycode that does not decode", Article{Title: "x", URL: "https://xn--a.example.com/"}, "url"},
		{"Punycode in capitals that does not decode", Article{Title: "x", Image: "https://XN--ZZ.com/a.png"}, "image"},
		{"author url host", Article{Title: "x", Authors: []Author{{Name: "A"}, {Name: "B", URL: "https://☃_.com"}}}, "authors[1].url"},
		{"enclosure url host", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://ex_ämple.com/a.mp3", Type: "audio/mpeg"}}}, "enclosures[0].url"},
		{"transcript url host", Article{Title: "x", TranscriptURL: "https://ex_ämple.com/a.vtt"}, "transcript_url"},
		{"chapters url host", Article{Title: "x", ChaptersURL: "https://ex_ämple.com/a.json"}, "chapters_url"},
		{"url too long once encoded", Article{Title: "x", URL: long}, "url"},
		{"image too long once encoded", Article{Title: "x", Image: long}, "image"},
		{"author url too long once encoded", Article{Title: "x", Authors: []Author{{Name: "A", URL: long}}}, "authors[0].url"},
		{"enclosure url too long once encoded", Article{Title: "x", Enclosures: []Enclosure{{URL: long, Type: "audio/mpeg"}}}, "enclosures[0].url"},
		{"derived url too long once the base is encoded", Article{Title: "x", Slug: "s"}, "slug"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.a
			base := "https://e.com"
			if a.Slug == "s" {
				base = "https://e.com/" + strings.Repeat("ü", 12) // 38 bytes, 62 encoded
			}
			err := a.Prepare(base, time.Now(), lim)
			if ErrorCode(err) != EInvalid || ErrorField(err) != c.field {
				t.Fatalf("Prepare err=%v (field %q), want EInvalid on field %q", err, ErrorField(err), c.field)
			}
		})
	}
	ok := Article{Title: "x", URL: "https://e.com/" + strings.Repeat("é", 4)} // 22 bytes, 38 encoded
	if err := ok.Prepare("https://e.com", time.Now(), lim); err != nil {
		t.Fatalf("URL within the limit once encoded: %v", err)
	}
}

// FuzzNormalizeURL: whatever checkURL accepts comes out as an RFC 3986
// URI that url.Parse reads with the same scheme and port; normalising it
// again changes nothing; and a URL that already was such a URI comes out
// byte for byte.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/a<b>", "https://example.com/ïmage.jpg", "https://exämple.com/x", "https://example.com/a\\b",
		"https://example.com/a{b}|c^d", "HTTP://Example.COM:80/%7e?b=1&a=%zz#f#g", "http://[::1]:8080/[x]", "https://ex%C3%A4mple.com/é",
		"https://ｅｘａｍｐｌｅ.com/?q=100%", "https://a.b/%", "https://xn--exmple-cua.com/", "https://a.b/\x7f", "https://\u200d.com/",
		"http://%C2%A1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		got, err := checkURL("url", s)
		if err != nil {
			return
		}
		if !rfc3986URI.MatchString(got) {
			t.Fatalf("checkURL(%q)=%q, not an RFC 3986 URI", s, got)
		}
		again, err := checkURL("url", got)
		if err != nil || again != got {
			t.Fatalf("checkURL(%q)=%q, then %q, %v: not idempotent", s, got, again, err)
		}
		u, err := url.Parse(s)
		v, err2 := url.Parse(got)
		if err != nil || err2 != nil || !strings.EqualFold(u.Scheme, v.Scheme) || u.Port() != v.Port() {
			t.Fatalf("checkURL(%q)=%q: scheme or port changed (%v, %v)", s, got, err, err2)
		}
		// A valid URI comes back byte for byte, unless its host spells a
		// non-ASCII name in escapes: that name is given its IDNA form, and
		// no escape is left in the host.
		switch {
		case rfc3986URI.MatchString(s) && !hasNonASCII(u.Hostname()) && got != s:
			t.Fatalf("checkURL(%q)=%q, want the valid URI unchanged", s, got)
		case hasNonASCII(u.Hostname()) && (hasNonASCII(v.Host) || strings.Contains(v.Host, "%")):
			t.Fatalf("checkURL(%q)=%q: the host is not in its IDNA form", s, got)
		}
	})
}
