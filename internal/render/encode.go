package render

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
)

// output collects what an encoder writes, appending each piece: the XML
// encoder flushes its buffer (the head of a document) and the JSON
// encoder writes the head of a document in one call. The first piece is copied into a new slice by append, which
// does not zero it first (as make would). A document's final bytes are
// assembled from the head and the items in a slice of their exact size
// (assemble, in splice.go).
type output struct {
	doc []byte
}

func (o *output) Write(p []byte) (int, error) {
	o.doc = append(o.doc, p...)
	return len(p), nil
}

// writeXML writes the XML declaration and v indented by two spaces, and
// ends the document with a newline. w is the encoder's buffer:
// xml.NewEncoder uses a *bufio.Writer of at least its default size as it
// is, rather than adding one of 4 KiB in front of it.
func writeXML(w *bufio.Writer, v any) error {
	w.WriteString(xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	w.WriteByte('\n')
	return w.Flush()
}

// writeJSON writes v compactly with a trailing newline. Indenting would
// run a second pass over the whole document and more than double the cost
// of a render, for bytes nobody reads unformatted (feeds travel
// compressed, and people pipe them through a formatter). HTML-escaping is
// off: content_html is full of angle brackets, and \u003c everywhere only
// makes the document larger.
func writeJSON(o *output, v any) error {
	enc := json.NewEncoder(o)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
