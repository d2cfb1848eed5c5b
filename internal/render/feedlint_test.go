package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// This file re-implements, as a test, the checks of the W3C Feed
// Validation Service (github.com/w3c/feedvalidator) that Herald's output
// could trip, named by the validator's own message ids. The service cannot
// be reached from CI, so these stand in for it; each check is itself
// tested against a document that breaks it (TestLintCatches).

// node is one element of a parsed document, with its raw source.
type node struct {
	name     xml.Name
	attrs    map[string]string // by local name
	text     string            // character data directly inside
	raw      string            // the element's source, tags included
	children []*node
	parent   *node
}

func (n *node) local() string { return n.name.Local }

// kids returns the children named local in namespace space ("" for any).
func (n *node) kids(space, local string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name.Local == local && (space == "" || c.name.Space == space) {
			out = append(out, c)
		}
	}
	return out
}

func (n *node) kid(space, local string) *node {
	if k := n.kids(space, local); len(k) > 0 {
		return k[0]
	}
	return nil
}

// parseTree parses out into nodes, keeping each element's raw source.
func parseTree(out []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(out))
	root := &node{}
	cur := root
	var starts []int64
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name, attrs: map[string]string{}, parent: cur}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			cur.children = append(cur.children, n)
			cur = n
			starts = append(starts, before)
		case xml.EndElement:
			cur.raw = string(out[starts[len(starts)-1]:dec.InputOffset()])
			starts = starts[:len(starts)-1]
			cur = cur.parent
		case xml.CharData:
			cur.text += string(tok)
		}
	}
	if len(root.children) != 1 {
		return nil, fmt.Errorf("%d root elements", len(root.children))
	}
	return root.children[0], nil
}

var (
	// The validator's tests for markup in plain text and for relative
	// references in HTML.
	htmlEndTag  = regexp.MustCompile(`</(\w+)>`)
	markupLike  = regexp.MustCompile(`&#[x0-9]|<[/a-zA-Z]`)
	anchorHref  = regexp.MustCompile(`(?i)<a\s+[^>]*href=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>]`)
	imgSrc      = regexp.MustCompile(`(?i)<img\s+[^>]*src=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>/]`)
	absRef      = regexp.MustCompile(`^\w+:`)
	durationRe  = regexp.MustCompile(`^\d+(:[0-5][0-9](:[0-5][0-9])?)?$`)
	unsafeTag   = regexp.MustCompile(`(?i)<(script|style|iframe|object|embed|frame|frameset|applet|link|meta|base)[\s>/]`)
	handlerAttr = regexp.MustCompile(`(?i)<[a-z][^>]*\s(on[a-z]+|style)\s*=`)
	jsURL       = regexp.MustCompile(`(?i)(href|src)\s*=\s*["']?\s*(javascript|vbscript|data):`)
)

// knownTags are the element names the validator treats as HTML when it
// finds their end tag in plain text (a subset is enough: any real tag).
var knownTags = map[string]bool{"a": true, "b": true, "i": true, "em": true, "strong": true, "p": true, "div": true, "span": true, "br": true, "img": true, "code": true, "pre": true, "ul": true, "li": true}

// lint returns the validator messages document out would get, as
// "MessageId: detail" strings; none for a clean document.
func lint(out []byte) []string {
	var problems []string
	add := func(id, format string, args ...any) {
		problems = append(problems, id+": "+fmt.Sprintf(format, args...))
	}
	for _, r := range string(out) {
		if (r >= 0x80 && r <= 0x9F) || r == 0xFFFD {
			add("BadCharacters", "%U", r)
		}
	}
	root, err := parseTree(out)
	if err != nil {
		add("SAXError", "%v", err)
		return problems
	}
	switch root.local() {
	case "rss":
		lintRSS(root, add)
	case "feed":
		lintAtom(root, add)
	default:
		add("UnknownFeedType", "root <%s>", root.local())
	}
	return problems
}

type adder func(id, format string, args ...any)

func lintRSS(rss *node, add adder) {
	ch := rss.kid("", "channel")
	if ch == nil {
		add("MissingElement", "channel")
		return
	}
	for _, name := range []string{"title", "link", "description"} {
		if n := ch.kid("", name); n == nil || strings.TrimSpace(n.text) == "" {
			add("MissingElement", "channel %s", name)
		}
	}
	if ch.kid("", "language") == nil {
		add("MissingDCLanguage", "channel language")
	}
	links := feedLinks(ch)
	if links["self"] == "" {
		add("MissingAtomSelfLink", "channel")
	}
	lintPaging(ch, links, add)
	plainText(ch.kid("", "title"), add)
	plainText(ch.kid("", "description"), add)
	for _, c := range ch.kids("", "category") {
		plainText(c, add)
	}
	if me := ch.kid("", "managingEditor"); me != nil {
		emailWithName(me, add)
		plainText(me, add)
	}
	if img := ch.kid("", "image"); img != nil {
		plainText(img.kid("", "title"), add)
	}
	if d := ch.kid("", "lastBuildDate"); d != nil {
		rfc822(d, add)
	}
	itunes := strings.Contains(rss.raw, nsITunes)
	if itunes {
		for _, name := range []string{"category", "explicit"} {
			if ch.kid(nsITunes, name) == nil {
				add("MissingItunesElement", "itunes:%s", name)
			}
		}
		if o := ch.kid(nsITunes, "owner"); o == nil || o.kid(nsITunes, "email") == nil {
			add("MissingItunesEmail", "itunes:owner")
		}
		if e := ch.kid(nsITunes, "explicit"); e != nil && e.text != "true" && e.text != "false" {
			add("InvalidTrueFalse", "itunes:explicit %q", e.text)
		}
		if ty := ch.kid(nsITunes, "type"); ty != nil && ty.text != "episodic" && ty.text != "serial" {
			add("InvalidItunesChannelType", "%q", ty.text)
		}
		if a := ch.kid(nsITunes, "author"); a != nil {
			plainText(a, add)
		}
	}
	guids := map[string]bool{}
	for _, it := range ch.kids("", "item") {
		if it.kid("", "title") == nil && it.kid("", "description") == nil {
			add("ItemMustContainTitleOrDescription", "item")
		}
		plainText(it.kid("", "title"), add)
		for _, c := range it.kids("", "category") {
			plainText(c, add)
		}
		g := it.kid("", "guid")
		switch {
		case g == nil:
			add("MissingGuid", "item %q", childText(it, "title"))
		case guids[g.text]:
			add("DuplicateValue", "guid %s", g.text)
		default:
			guids[g.text] = true
		}
		if it.kid("", "author") != nil && it.kid(nsDC, "creator") != nil {
			add("DuplicateItemSemantics", "author and dc:creator in %q", childText(it, "title"))
		}
		if a := it.kid("", "author"); a != nil {
			emailWithName(a, add)
			plainText(a, add)
		}
		if d := it.kid("", "pubDate"); d != nil {
			rfc822(d, add)
		}
		order := strings.Index(it.raw, "<description>")
		if c := it.kid(nsContent, "encoded"); c != nil {
			if order < 0 || order > strings.Index(it.raw, "<content:encoded>") {
				add("NeedDescriptionBeforeContent", "item %q", childText(it, "title"))
			}
			safeHTML(c.text, add)
		}
		if d := it.kid("", "description"); d != nil {
			safeHTML(d.text, add)
		}
		if len(it.kids("", "enclosure")) > 1 {
			add("DuplicateEnclosure", "item %q", childText(it, "title"))
		}
		if e := it.kid("", "enclosure"); e != nil {
			if e.attrs["length"] == "" || e.attrs["type"] == "" || !strings.HasPrefix(e.attrs["url"], "http") {
				add("MissingAttribute", "enclosure %v", e.attrs)
			}
			if itunes {
				u, _, _ := strings.Cut(e.attrs["url"], "?")
				ext := u[strings.LastIndexByte(u, '.')+1:]
				if !map[string]bool{"m4a": true, "mp3": true, "mov": true, "mp4": true, "m4v": true, "pdf": true, "epub": true}[ext] {
					add("UnsupportedItunesFormat", "%s", ext)
				}
			}
		}
		for _, name := range []string{"episode", "season"} {
			if n := it.kid(nsITunes, name); n != nil && !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(n.text) {
				add("InvalidPositiveInteger", "itunes:%s %q", name, n.text)
			}
		}
		if n := it.kid(nsITunes, "episodeType"); n != nil && n.text != "full" && n.text != "trailer" && n.text != "bonus" {
			add("InvalidItunesEpisodeType", "%q", n.text)
		}
		if n := it.kid(nsITunes, "duration"); n != nil && !durationRe.MatchString(n.text) {
			add("InvalidDuration", "%q", n.text)
		}
		if len(feedLinks(it)) > 0 {
			add("FeedHistoryRelInEntry", "item %q", childText(it, "title"))
		}
	}
}

func lintAtom(feed *node, add adder) {
	for _, name := range []string{"title", "id", "updated"} {
		if feed.kid(nsAtom, name) == nil {
			add("MissingElement", "feed %s", name)
		}
	}
	links := feedLinks(feed)
	if links["self"] == "" {
		add("MissingSelf", "feed")
	}
	lintPaging(feed, links, add)
	feedAuthor := feed.kid(nsAtom, "author") != nil
	ids := map[string]bool{}
	for _, e := range feed.kids(nsAtom, "entry") {
		title := childText(e, "title")
		if !feedAuthor && e.kid(nsAtom, "author") == nil {
			add("MissingElement", "author of %q", title)
		}
		id := e.kid(nsAtom, "id")
		switch {
		case id == nil:
			add("MissingElement", "id of %q", title)
		case ids[id.text]:
			add("DuplicateEntries", "%s", id.text)
		default:
			ids[id.text] = true
		}
		if e.kid(nsAtom, "updated") == nil {
			add("MissingElement", "updated of %q", title)
		}
		content := e.kid(nsAtom, "content")
		if content == nil && e.kid(nsAtom, "summary") == nil {
			add("MissingTextualContent", "entry %q", title)
		}
		if content != nil && content.attrs["type"] == "html" {
			safeHTML(content.text, add)
		}
		alternates := map[string]bool{}
		for _, l := range e.kids(nsAtom, "link") {
			switch l.attrs["rel"] {
			case "", "alternate":
				key := l.attrs["type"] + "|" + l.attrs["hreflang"]
				if alternates[key] {
					add("DuplicateAtomLink", "alternate %s in %q", key, title)
				}
				alternates[key] = true
			case "first", "last", "next", "previous", "current", "prev-archive", "next-archive":
				add("FeedHistoryRelInEntry", "%s in %q", l.attrs["rel"], title)
			}
		}
	}
}

// feedLinks maps the rels of n's Atom links to their hrefs.
func feedLinks(n *node) map[string]string {
	out := map[string]string{}
	for _, l := range n.kids(nsAtom, "link") {
		rel := l.attrs["rel"]
		if rel == "" {
			rel = "alternate"
		}
		if rel == "alternate" || rel == "enclosure" {
			continue
		}
		out[rel] = l.attrs["href"]
	}
	return out
}

// lintPaging applies RFC 5005's rules as the validator checks them.
func lintPaging(n *node, links map[string]string, add adder) {
	self := links["self"]
	if self != "" && self == links["first"] && links["previous"] != "" {
		add("LinkPastEnd", "previous on the first page")
	}
	if self != "" && self == links["last"] && links["next"] != "" {
		add("LinkPastEnd", "next on the last page")
	}
	if n.kid(nsHistory, "archive") != nil {
		if links["current"] == "" {
			add("MissingCurrentInArchive", "archive without a current link")
		}
		// RFC 5005, 4: an archive links the archive before it, when
		// there is one. A page with an older page (next) has one, since
		// every page older than an archive is full; the oldest archive,
		// when it is the only one, links no other archive.
		if links["next"] != "" && links["prev-archive"] == "" {
			add("ArchiveIncomplete", "archive with an older page but no prev-archive")
		}
	}
	if n.kid(nsHistory, "complete") != nil && (links["next"] != "" || links["previous"] != "") {
		add("FeedRelInCompleteFeed", "complete feed with paging links")
	}
}

// plainText applies the validator's checks for elements that hold plain
// text in RSS: no HTML end tags, and "&" and "<" only as hexadecimal
// character references (the RSS profile's advice).
func plainText(n *node, add adder) {
	if n == nil {
		return
	}
	for _, m := range htmlEndTag.FindAllStringSubmatch(n.text, -1) {
		if knownTags[strings.ToLower(m[1])] {
			add("ContainsHTML", "<%s> %q", n.local(), n.text)
			return
		}
	}
	if markupLike.MatchString(n.text) && !strings.Contains(n.raw, "&#x") {
		add("CharacterData", "<%s> %q", n.local(), n.text)
	}
	if strings.Contains(n.raw, "&amp;") || strings.Contains(n.raw, "&lt;") {
		add("CharacterData", "<%s> escapes with named entities: %s", n.local(), n.raw)
	}
}

// safeHTML applies the validator's checks to HTML content: nothing that
// runs code, and no relative references.
func safeHTML(h string, add adder) {
	if m := unsafeTag.FindString(h); m != "" {
		add("SecurityRisk", "%s", m)
	}
	if m := handlerAttr.FindStringSubmatch(h); m != nil {
		add("SecurityRiskAttr", "%s", m[1])
	}
	if jsURL.MatchString(h) {
		add("SecurityRisk", "script URL in %q", h)
	}
	for _, re := range []*regexp.Regexp{anchorHref, imgSrc} {
		for _, m := range re.FindAllStringSubmatch(h, -1) {
			ref := strings.TrimSpace(m[1] + m[2] + m[3])
			if !absRef.MatchString(ref) {
				add("ContainsRelRef", "%q", ref)
			}
		}
	}
}

// emailWithName checks an RSS contact (<author>, <managingEditor>): the
// whole value must be an RFC 5322 address, "email (Name)", the name being
// a comment whose backslashes and parentheses are quoted pairs. net/mail
// reads all of it, so text left after a comment that closed early is
// refused, and so is the "Name <email>" form, which the address must
// start the value to rule out.
func emailWithName(n *node, add adder) {
	v := n.text
	a, err := mail.ParseAddress(v)
	if err != nil || !strings.HasPrefix(v, a.Address) {
		add("InvalidContact", "%q", v)
		return
	}
	if a.Name == "" {
		add("MissingRealName", "%q", v)
	}
}

func rfc822(n *node, add adder) {
	t, err := time.Parse(time.RFC1123Z, n.text)
	if err != nil {
		add("InvalidRFC2822Date", "%q", n.text)
		return
	}
	if t.Format("Mon") != n.text[:3] {
		add("IncorrectDOW", "%q", n.text)
	}
}

func childText(n *node, local string) string {
	if c := n.kid("", local); c != nil {
		return c.text
	}
	return ""
}
