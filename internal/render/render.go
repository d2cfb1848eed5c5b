package render

import (
	"bufio"
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
	// FragmentCacheBytes bounds the encoded items kept for later renders
	// (see fragments.go): zero means DefaultFragmentCacheBytes, a
	// negative value keeps none.
	FragmentCacheBytes int
}

// Renderer renders feeds. One value may be shared by any number of
// goroutines; the zero value renders with the default options but keeps
// no encoded items.
type Renderer struct {
	generator string
	// fragments keeps encoded items for later renders (fragments.go);
	// nil keeps none.
	fragments *fragmentCache
	// writers recycles the XML encoder's 4 KiB buffers between renders.
	writers sync.Pool // *bufio.Writer
	// scratches recycles the buffers items are encoded into (splice.go).
	scratches sync.Pool // *output
}

var _ herald.Renderer = (*Renderer)(nil)

// New returns a Renderer with the default options.
func New() *Renderer { return NewWithOptions(Options{}) }

// NewWithOptions returns a Renderer configured by o.
func NewWithOptions(o Options) *Renderer {
	r := &Renderer{generator: clean(o.Generator)}
	switch {
	case o.FragmentCacheBytes == 0:
		r.fragments = newFragmentCache(DefaultFragmentCacheBytes)
	case o.FragmentCacheBytes > 0:
		r.fragments = newFragmentCache(o.FragmentCacheBytes)
	}
	return r
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
	if err := checkArticles(articles); err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	c, err := newChannel(ch, articles)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	// Only the items not kept from an earlier render need their entries.
	items := r.keptItems(f, c, articles)
	var tx texts
	tx.grow(items.missing * textsPerArticle)
	entries := channelEntries(f, c, articles, &tx, items.bytes)
	items.prepared(entries)
	var doc []byte
	switch f {
	case herald.FormatRSS:
		d := r.rss(c, entries, &items, &tx)
		list := d.Channel.Items
		d.Channel.Items = nil
		doc, err = spliceXML(r, d, list, "    ", "\n  </channel>", &items)
	case herald.FormatAtom:
		d := r.atom(c, entries, &items, &tx)
		list := d.Entries
		d.Entries = nil
		doc, err = spliceXML(r, d, list, "  ", "\n</feed>", &items)
	case herald.FormatJSON:
		d := jsonFeedOf(c, entries, &items)
		list := d.Items
		d.Items = []*jsonItem{}
		doc, err = spliceJSON(r, d, list, &items)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", f, err)
	}
	r.keep(&items)
	return doc, nil
}

// textsPerArticle is about what texts holds per article: its id, two
// dates and an author's address.
const textsPerArticle = 160

// maxRecycled bounds the buffers kept for reuse, so that one huge feed
// does not pin its memory for the life of the process.
const maxRecycled = 8 << 20

// writer returns a buffered writer into out of xml.NewEncoder's own size
// (4 KiB), which the encoder then uses as it is instead of adding one in
// front of it. The encoder flushes it into out when it has encoded a
// document's head.
func (r *Renderer) writer(out *output) *bufio.Writer {
	if w, _ := r.writers.Get().(*bufio.Writer); w != nil {
		w.Reset(out)
		return w
	}
	return bufio.NewWriterSize(out, 4096)
}

// recycle keeps w for the next render, without its last destination.
func (r *Renderer) recycle(w *bufio.Writer) {
	w.Reset(nil)
	r.writers.Put(w)
}

// generatorName is the configured generator, or DefaultGenerator.
func (r *Renderer) generatorName() string {
	return or(r.generator, DefaultGenerator)
}
