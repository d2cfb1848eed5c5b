package importer

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"math"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"
)

// itemKinds is what gofeed's universal Item drops about one item and the
// importer needs: which of its texts are plain text and which HTML, and
// the durations of JSON Feed attachments. The zero value is RSS's reading
// (a plain-text title, HTML description and content), which is also what
// an item falls back to when the document cannot be read a second time.
type itemKinds struct {
	titleHTML   bool    // Atom type="html" or "xhtml": markup to reduce to text
	summaryText bool    // Atom type="text", JSON Feed summary: text, not HTML
	contentText bool    // Atom type="text", JSON Feed content_text
	durations   []int64 // JSON Feed: attachment i's duration_in_seconds, rounded
}

// readItemKinds reads the item kinds of a feed gofeed parsed as feedType
// ("rss", "atom" or "json"), one per item in gofeed's order.
func readItemKinds(feedType string, data []byte) []itemKinds {
	switch feedType {
	case "atom":
		return atomKinds(data)
	case "json":
		return jsonFeedKinds(data)
	}
	return nil
}

// atomNamespaces are the namespaces whose elements gofeed reads as Atom's
// own; an element of any other namespace is an extension it sets aside.
var atomNamespaces = [...]string{"", "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"}

// atomKinds reads the type attribute of each entry's title, summary and
// content. gofeed keeps the content's type only on its Atom-specific
// types and the title's and summary's nowhere, yet RFC 4287 makes "text"
// (the default) and "html" different things. The decoder is set up as
// gofeed's is (lenient, converting declared charsets), so that it sees
// the same entries in the same order; should it stop early, the entries
// it did not reach keep the zero itemKinds.
func atomKinds(data []byte) []itemKinds {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	var out []itemKinds
	depth, entry := 0, -1 // entry: index in out of the entry being read
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if !isAtomName(t.Name) {
				continue
			}
			switch name := strings.ToLower(t.Name.Local); {
			case depth == 2 && name == "entry":
				out = append(out, itemKinds{})
				entry = len(out) - 1
			case depth == 3 && entry >= 0:
				html := isHTMLType(attr(t.Attr, "type"))
				switch name {
				case "title":
					out[entry].titleHTML = html
				case "summary":
					out[entry].summaryText = !html
				case "content":
					out[entry].contentText = !html
				}
			}
		case xml.EndElement:
			if depth == 2 {
				entry = -1
			}
			depth--
		}
	}
}

func isAtomName(n xml.Name) bool {
	for _, ns := range atomNamespaces {
		if n.Space == ns {
			return true
		}
	}
	return false
}

// isHTMLType reports whether an Atom text construct's type makes it
// markup: "html" and "xhtml" (RFC 4287), or Atom 0.3's "text/html" and
// "application/xhtml+xml". Everything else, the default "text" included,
// is read as text.
func isHTMLType(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return t == "html" || t == "text/html" || strings.Contains(t, "xhtml")
}

func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Space == "" && strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

// jsonFeedKinds reads what gofeed merges or drops in JSON Feed items: it
// puts content_text where content_html would go and the summary where an
// RSS description would, both HTML to the importer, and it leaves out
// attachment durations. The shape decoded is the part of gofeed's own
// that matters here, so a document gofeed read is read here too, item for
// item.
func jsonFeedKinds(data []byte) []itemKinds {
	var doc struct {
		Items []struct {
			ContentHTML string `json:"content_html"`
			Attachments []struct {
				Duration json.RawMessage `json:"duration_in_seconds"`
			} `json:"attachments"`
		} `json:"items"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	out := make([]itemKinds, len(doc.Items))
	for i, it := range doc.Items {
		out[i] = itemKinds{summaryText: true, contentText: it.ContentHTML == ""}
		for _, a := range it.Attachments {
			out[i].durations = append(out[i].durations, seconds(a.Duration))
		}
	}
	return out
}

// seconds reads a JSON Feed duration_in_seconds, a number that may have a
// fraction (some feeds also quote it), rounded to whole seconds. Anything
// else, negative or past int64, is 0: unknown, as the field's absence is.
func seconds(raw json.RawMessage) int64 {
	s := strings.TrimSpace(string(raw))
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= math.MaxInt64 {
		return 0
	}
	return int64(math.Round(f))
}
