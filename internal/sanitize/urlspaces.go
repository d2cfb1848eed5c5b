package sanitize

import (
	"strings"

	"golang.org/x/net/html"
)

// encodeURLSpaces spells the white space inside URL attributes (urlAttrs;
// not srcset, whose URLs are separated by white space) the way a browser
// reads it: spaces as %20, tabs and line breaks removed (the URL
// standard drops them), leading and trailing white space trimmed. bluemonday
// refuses any URL with a space in it, so without this a link to
// "my file.html" or an image "my pic.png", which every browser follows,
// lost its address. Everything but the attributes rewritten is copied as it
// came.
func encodeURLSpaces(content string) string {
	if !strings.ContainsAny(content, "=") {
		return content
	}
	z := html.NewTokenizer(strings.NewReader(content))
	var b strings.Builder
	changed := false
	encode := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\f", "%0C", " ", "%20")
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			b.Write(raw)
			continue
		}
		tok := z.Token()
		fixed := false
		for i, a := range tok.Attr {
			if a.Namespace != "" || !urlAttrs[a.Key] {
				continue
			}
			v := strings.Trim(a.Val, htmlSpace)
			if strings.ContainsAny(v, htmlSpace) {
				v = encode.Replace(v)
			}
			if v != a.Val {
				tok.Attr[i].Val = v
				fixed = true
			}
		}
		if fixed {
			b.WriteString(tok.String())
			changed = true
		} else {
			b.Write(raw)
		}
	}
	if !changed {
		return content
	}
	return b.String()
}
