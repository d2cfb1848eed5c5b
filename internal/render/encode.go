package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
)

// writeXML writes the XML declaration and v indented by two spaces, and
// ends the document with a newline.
func writeXML(buf *bytes.Buffer, v any) error {
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return nil
}

// writeJSON writes v compactly with a trailing newline. Indenting would
// run a second pass over the whole document and more than double the cost
// of a render, for bytes nobody reads unformatted (feeds travel
// compressed, and people pipe them through a formatter). HTML-escaping is
// off: content_html is full of angle brackets, and \u003c everywhere only
// makes the document larger.
func writeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
