package sanitize

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// urlAttrs are the attributes that hold one URL, by attribute name; every
// element the policy lets through uses them that way.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "cite": true, "poster": true, "longdesc": true, "action": true,
}

// absolutize parses fragment as the content of a <body>, resolves every URL
// attribute against base and serialises the result. A base that is not an
// absolute URL leaves URLs as they are.
func absolutize(fragment, base string) (string, error) {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{
		Type: html.ElementNode, Data: "body", DataAtom: atom.Body,
	})
	if err != nil {
		return "", err
	}
	baseURL, err := url.Parse(base)
	if err != nil || !baseURL.IsAbs() {
		baseURL = nil
	}
	var b strings.Builder
	for _, n := range nodes {
		if baseURL != nil {
			resolve(n, baseURL)
		}
		if err := html.Render(&b, n); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// resolve rewrites the URL attributes of n and its descendants.
func resolve(n *html.Node, base *url.URL) {
	if n.Type == html.ElementNode {
		for i, a := range n.Attr {
			if a.Namespace == "" && urlAttrs[strings.ToLower(a.Key)] {
				n.Attr[i].Val = Resolve(base, a.Val)
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		resolve(c, base)
	}
}

// Resolve returns ref resolved against base, or ref unchanged when it does
// not parse (the sanitiser has already dropped such URLs from content).
func Resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}
