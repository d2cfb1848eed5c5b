package render

import (
	"bytes"
	"fmt"
	"sync"

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

// Renderer renders feeds. One value may be shared by any number of
// goroutines; the zero value renders with the default options.
type Renderer struct {
	generator string
	// buffers recycles output buffers between renders: a fresh buffer
	// the size of a feed must be zeroed and then grown, which showed in
	// profiles; the result is copied out at its exact size.
	buffers sync.Pool
}

var _ herald.Renderer = (*Renderer)(nil)

// New returns a Renderer with the default options.
func New() *Renderer { return NewWithOptions(Options{}) }

// NewWithOptions returns a Renderer configured by o.
func NewWithOptions(o Options) *Renderer {
	return &Renderer{generator: clean(o.Generator)}
}

// Render returns the document of format f for the channel ch listing
// articles in the order given. Equal inputs give equal bytes. It fails on
// an unknown format, a channel without a title or feed URL, or an article
// without an ID.
func (r *Renderer) Render(f herald.Format, ch herald.Channel, articles []*herald.Article) ([]byte, error) {
	switch f {
	case herald.FormatRSS, herald.FormatAtom, herald.FormatJSON:
	default:
		return nil, fmt.Errorf("render: unknown format %q", f)
	}
	entries, err := newEntries(articles)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	c, err := newChannel(ch, entries)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	inheritLanguage(c.language, entries)
	buf, _ := r.buffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer r.recycle(buf)
	buf.Reset()
	buf.Grow(sizeHint(entries))
	switch f {
	case herald.FormatRSS:
		err = writeXML(buf, r.rss(c, entries))
	case herald.FormatAtom:
		err = writeXML(buf, r.atom(c, entries))
	case herald.FormatJSON:
		err = writeJSON(buf, jsonFeedOf(c, entries))
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// maxRecycled bounds the buffers kept for reuse, so that one huge feed
// does not pin its memory for the life of the process.
const maxRecycled = 8 << 20

func (r *Renderer) recycle(buf *bytes.Buffer) {
	if buf.Cap() <= maxRecycled {
		r.buffers.Put(buf)
	}
}

// generatorName is the configured generator, or DefaultGenerator.
func (r *Renderer) generatorName() string {
	return or(r.generator, DefaultGenerator)
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
