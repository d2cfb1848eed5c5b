package render

import (
	"bytes"
	"fmt"

	"github.com/herald-feeds/herald/internal/herald"
)

// DefaultGenerator is the generator name written when Options leaves it
// empty.
const DefaultGenerator = "Herald"

// Options adjusts a Renderer. The zero value is ready to use.
type Options struct {
	// Generator names the software in RSS <generator> and Atom
	// <generator>; empty means DefaultGenerator.
	Generator string
}

// Renderer renders feeds. It holds only its options, so one value may be
// shared by any number of goroutines.
type Renderer struct {
	generator string
}

var _ herald.Renderer = (*Renderer)(nil)

// New returns a Renderer with the default options.
func New() *Renderer { return NewWithOptions(Options{}) }

// NewWithOptions returns a Renderer configured by o.
func NewWithOptions(o Options) *Renderer {
	g := clean(o.Generator)
	if g == "" {
		g = DefaultGenerator
	}
	return &Renderer{generator: g}
}

// Render returns the document of format f for the channel ch listing
// articles in the order given. Equal inputs give equal bytes. It fails on
// an unknown format, a channel without a title or feed URL, or an article
// without an ID.
func (r *Renderer) Render(f herald.Format, ch herald.Channel, articles []*herald.Article) ([]byte, error) {
	entries, err := newEntries(articles)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	c, err := newChannel(ch, entries)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	buf := bytes.NewBuffer(make([]byte, 0, sizeHint(entries)))
	switch f {
	case herald.FormatRSS:
		err = writeXML(buf, r.rss(c, entries))
	case herald.FormatAtom:
		err = writeXML(buf, r.atom(c, entries))
	case herald.FormatJSON:
		err = writeJSON(buf, jsonFeedOf(c, entries))
	default:
		return nil, fmt.Errorf("render: unknown format %q", f)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	return buf.Bytes(), nil
}

// sizeHint guesses the output size so the buffer rarely grows: the text
// that goes out, plus room for markup and escaping.
func sizeHint(entries []entry) int {
	n := 2048
	for i := range entries {
		e := &entries[i]
		n += 1024 + len(e.title) + 2*len(e.summary) + len(e.content) + len(e.content)/8
	}
	return n
}
