package sanitize

import (
	"errors"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// urlAttrs are the attributes that hold one URL, by attribute name; every
// element the policy lets through uses them that way.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "cite": true, "poster": true, "longdesc": true, "action": true,
}

// mediaElements are the elements whose URLs a reader loads into the page
// (src, poster and each srcset candidate): those URLs must be http or
// https, or relative, whatever the policy let through.
var mediaElements = map[string]bool{
	"img": true, "audio": true, "video": true, "source": true, "track": true,
}

// needAttrs are the elements bluemonday drops when they have no attribute
// left; absolutize drops them too when it removes their last one, so that
// a second pass changes nothing.
var needAttrs = map[string]bool{"img": true, "source": true, "track": true}

// htmlSpace is ASCII whitespace as HTML defines it.
const htmlSpace = "\t\n\f\r "

// srcsetDescriptor is a width (480w) or pixel density (2x, 1.5x).
var srcsetDescriptor = regexp.MustCompile(`^(?:[0-9]+w|[0-9]+(?:\.[0-9]+)?x)$`)

// absolutize parses fragment as the content of a <body>, resolves every URL
// attribute against base and serialises the result. A base that is not an
// absolute URL leaves URLs as they are, but media URLs are checked either
// way: one that is not http, https or relative is removed, and so is a
// srcset that does not parse. With limit >= 0, a result longer than
// limit bytes is ErrTooLarge, found as soon as it is certain: resolving short
// relative URLs against a long base can multiply a fragment's size, and
// so can writing out its characters as references.
func absolutize(fragment, base string, limit int) (string, error) {
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
	// room is how many bytes resolving may still add to attributes in all,
	// counting only the ones that grow: the rendering that follows is
	// checked against limit exactly, and this only stops a fragment that
	// would grow far past it from being resolved whole first. Since what
	// is dropped (attributes, elements, references written shorter) can
	// only take bytes away, a result within limit never added more than
	// limit bytes, so no fragment within it is refused here.
	room := -1
	if limit >= 0 {
		room = limit
	}
	var b strings.Builder
	for _, n := range nodes {
		if !resolve(n, baseURL, &room) {
			return "", ErrTooLarge
		}
		if emptied(n) {
			continue
		}
		if err := html.Render(&b, n); err != nil {
			return "", err
		}
		if limit >= 0 && b.Len() > limit {
			return "", ErrTooLarge
		}
	}
	return b.String(), nil
}

// ErrTooLarge is HTMLWithin's answer for content longer than its bound
// once sanitised.
var ErrTooLarge = errors.New("sanitised content is over its size limit")

// resolve rewrites the URL attributes of n and its descendants against
// base (nil: leave them relative), and removes media URLs that are not
// safe.
//
// room, when not negative, is how many bytes the rewritten URLs may add
// to their attributes in all; resolve stops and reports false as soon as
// they would add more.
func resolve(n *html.Node, base *url.URL, room *int) bool {
	if n.Type == html.ElementNode {
		media := n.Namespace == "" && mediaElements[n.Data]
		attrs := n.Attr[:0]
		for _, a := range n.Attr {
			orig := a.Val
			key := strings.ToLower(a.Key)
			switch {
			case a.Namespace != "":
			case media && key == "srcset":
				v, ok := resolveSrcset(base, a.Val)
				if !ok {
					continue
				}
				a.Val = v
			case media && urlAttrs[key]:
				v, ok := resolveMedia(base, a.Val)
				if !ok || !mediaURL.MatchString(v) {
					continue
				}
				a.Val = v
			case urlAttrs[key] && base != nil:
				a.Val = Resolve(base, a.Val)
			}
			if *room >= 0 {
				if *room -= max(0, len(a.Val)-len(orig)); *room < 0 {
					return false
				}
			}
			attrs = append(attrs, a)
		}
		n.Attr = attrs
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if !resolve(c, base, room) {
			return false
		}
		if emptied(c) {
			n.RemoveChild(c)
		}
		c = next
	}
	return true
}

// emptied reports whether n is an element the policy keeps only with an
// attribute, and has none left.
func emptied(n *html.Node) bool {
	return n.Type == html.ElementNode && n.Namespace == "" && needAttrs[n.Data] && len(n.Attr) == 0
}

// resolveMedia returns the media URL ref resolved against base (or as it
// is when base is nil), and false when it does not parse or is not http,
// https or relative.
func resolveMedia(base *url.URL, ref string) (string, bool) {
	ref = strings.Trim(ref, htmlSpace)
	u, err := url.Parse(ref)
	if err != nil || ref == "" {
		return "", false
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "" || u.Opaque != "" {
		// url.Parse lowercases the scheme.
		if (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Host == "" {
			return "", false
		}
	}
	if base == nil {
		return ref, true
	}
	return u.String(), true
}

// resolveSrcset resolves each candidate URL of a srcset value, as
// resolveMedia does, and serialises the candidates as "URL descriptor"
// joined by ", ". It returns false, and the attribute is removed, when
// any URL is unsafe or the value is not a plain list of candidates: each
// a URL (which holds no whitespace, and a comma only followed by
// something else than whitespace) and at most one width (480w) or
// density (2x) descriptor, separated by single commas.
func resolveSrcset(base *url.URL, v string) (string, bool) {
	var out []string
	s := v
	for {
		s = strings.TrimLeft(s, htmlSpace)
		if s == "" {
			break
		}
		if s[0] == ',' {
			return "", false // an empty candidate
		}
		end := strings.IndexAny(s, htmlSpace)
		if end < 0 {
			end = len(s)
		}
		ref, desc := s[:end], ""
		s = s[end:]
		if strings.HasSuffix(ref, ",") {
			// "a.jpg, b.jpg 2x": a URL ending in a comma ends its
			// candidate, without a descriptor.
			ref = ref[:len(ref)-1]
			if ref == "" || strings.HasSuffix(ref, ",") {
				return "", false
			}
		} else {
			s = strings.TrimLeft(s, htmlSpace)
			desc, s, _ = strings.Cut(s, ",")
			desc = strings.TrimRight(desc, htmlSpace)
			if desc != "" && !srcsetDescriptor.MatchString(desc) {
				return "", false
			}
		}
		u, ok := resolveMedia(base, ref)
		if !ok || u == "" || strings.ContainsAny(u, htmlSpace) || u[0] == ',' || u[len(u)-1] == ',' {
			return "", false
		}
		if desc != "" {
			u += " " + desc
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return "", false
	}
	srcset := strings.Join(out, ", ")
	if !srcsetURLs.MatchString(srcset) {
		return "", false
	}
	return srcset, true
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
