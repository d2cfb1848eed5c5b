package render

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/herald-feeds/herald/internal/herald"
)

// itemSet is the state of one render's items: for each, its key and id
// (when the Renderer keeps items), its bytes (kept from an earlier render
// or encoded by this one), which of them this render encoded, and the
// namespaces each one uses.
type itemSet struct {
	keys  []uint64
	ids   []string
	bytes [][]byte
	fresh []bool
	flags []itemFlags
	// missing counts the items still to encode, and hint guesses their
	// size.
	missing, hint int
}

// itemFlags are the namespaces an item uses beyond its format's own,
// which the document's root declares only when some item needs them.
type itemFlags uint8

const (
	usesMedia itemFlags = 1 << iota // media:content, for an image
	usesDC                          // dc:creator or dc:language (RSS)
)

// flagsOf is what e uses.
func flagsOf(e *entry) itemFlags {
	var fl itemFlags
	if e.image != "" {
		fl |= usesMedia
	}
	if rssCreators(e) || e.language != "" {
		fl |= usesDC
	}
	return fl
}

// keptItems hashes every article in the context of format f and channel
// c, and looks its item's encoded bytes up among those the Renderer
// keeps.
func (r *Renderer) keptItems(f herald.Format, c channel, articles []*herald.Article) itemSet {
	n := len(articles)
	s := itemSet{bytes: make([][]byte, n), fresh: make([]bool, n), flags: make([]itemFlags, n)}
	if r.fragments != nil && n > 0 {
		s.keys, s.ids = make([]uint64, n), make([]string, n)
		var k keyHash
		for i, a := range articles {
			s.keys[i] = itemKey(&k, f, c, a)
			s.ids[i] = a.ID
		}
		r.fragments.lookup(s.keys, s.ids, s.bytes, s.flags)
	}
	for _, b := range s.bytes {
		if b == nil {
			s.missing++
		}
	}
	return s
}

// prepared takes, for every item still to encode, its namespaces and a
// guess of its size from its entry.
func (s *itemSet) prepared(entries []entry) {
	for i, b := range s.bytes {
		if b == nil {
			s.flags[i] = flagsOf(&entries[i])
			s.hint += itemSizeHint(&entries[i])
		}
	}
}

// keep hands the items this render encoded to the Renderer's cache.
func (r *Renderer) keep(s *itemSet) {
	if r.fragments != nil && s.missing > 0 {
		r.fragments.keep(s)
	}
}

// xmlItem is an RSS item or an Atom entry, which writes itself as
// encoding/xml would encode it (xmlPrinter).
type xmlItem interface {
	*rssItem | *atomEntry
	write(p *xmlPrinter)
}

// spliceXML writes doc, whose items were taken out of it, then writes
// the items not yet in s, each at the indentation prefix its depth gives,
// and puts all items in order before closing, the indented end tag of the
// element that holds them. The result is the document encoding doc with
// its items in place would have given.
func spliceXML[T xmlItem](r *Renderer, doc any, items []T, prefix, closing string, s *itemSet) ([]byte, error) {
	var head output
	w := r.writer(&head)
	err := writeXML(w, doc)
	r.recycle(w)
	if err != nil {
		return nil, err
	}
	cut := bytes.LastIndex(head.doc, []byte(closing))
	if cut < 0 {
		return nil, fmt.Errorf("no %q in the document to put the items before", closing)
	}
	buf := r.scratch(s.hint)
	defer r.recycleScratch(buf)
	writeXMLItems(r, buf, items, prefix, s)
	return assemble(head.doc, cut, s.bytes, nil), nil
}

// writeXMLItems writes the items of s that have no bytes yet into buf,
// each with the line feed and prefix that precede it inside the document.
func writeXMLItems[T xmlItem](r *Renderer, buf *output, items []T, prefix string, s *itemSet) {
	if s.missing == 0 {
		return
	}
	p := xmlPrinter{b: buf.doc, prefix: prefix}
	ends := make([]int, len(items))
	for i, it := range items {
		if s.bytes[i] != nil {
			continue
		}
		it.write(&p)
		ends[i] = len(p.b)
	}
	buf.doc = p.b
	fill(s, r.own(buf.doc), ends)
}

// fill points the items of s that ends marks (where each one ends in buf;
// zero for the others) at their bytes in buf, each starting where the
// previous one ended.
func fill(s *itemSet, buf []byte, ends []int) {
	from := 0
	for i, end := range ends {
		if end > 0 {
			s.bytes[i], s.fresh[i] = buf[from:end:end], true
			from = end
		}
	}
}

// scratch returns an empty buffer with room for about size bytes, for the
// items a render encodes; later renders use it again (recycleScratch) once
// the document is assembled.
func (r *Renderer) scratch(size int) *output {
	o, _ := r.scratches.Get().(*output)
	if o == nil {
		o = &output{}
	}
	if cap(o.doc) < size {
		o.doc = make([]byte, 0, min(size, maxRecycled))
	}
	o.doc = o.doc[:0]
	return o
}

// recycleScratch keeps buf for a later render, unless it grew past
// maxRecycled.
func (r *Renderer) recycleScratch(buf *output) {
	if cap(buf.doc) <= maxRecycled {
		r.scratches.Put(buf)
	}
}

// itemSizeHint guesses the encoded size of e: the text that goes out,
// plus room for markup and escaping.
func itemSizeHint(e *entry) int {
	return 1024 + len(e.title) + 2*len(e.summary) + len(e.content) + len(e.content)/8
}

// own returns the bytes of the items a render encoded (in its scratch
// buffer) as the items will be kept: in a slice of their exact size, so
// that kept items pin no more memory than they count, or, for a Renderer
// that keeps none, where they are.
func (r *Renderer) own(encoded []byte) []byte {
	if r.fragments == nil {
		return encoded
	}
	return bytes.Clone(encoded)
}

// spliceJSON writes doc, whose items were replaced by an empty list (the
// last member of the feed object), then writes the items not yet in s and
// puts all of them, comma-separated, into that list.
func spliceJSON(r *Renderer, doc *jsonFeed, items []*jsonItem, s *itemSet) ([]byte, error) {
	var head output
	if err := writeJSON(&head, doc); err != nil {
		return nil, err
	}
	const end = "[]}\n"
	if !bytes.HasSuffix(head.doc, []byte(end)) {
		return nil, errors.New("the feed object does not end with its items")
	}
	cut := len(head.doc) - len(end) + 1
	buf := r.scratch(s.hint)
	defer r.recycleScratch(buf)
	ends := make([]int, len(items))
	var err error
	for i, it := range items {
		if s.bytes[i] != nil {
			continue
		}
		if buf.doc, err = it.write(buf.doc); err != nil {
			return nil, err
		}
		ends[i] = len(buf.doc)
	}
	fill(s, r.own(buf.doc), ends)
	return assemble(head.doc, cut, s.bytes, comma), nil
}

var comma = []byte(",")

// assemble returns head with parts, separated by sep, inserted at cut, in
// a slice of exactly that size. bytes.Join makes it without zeroing it
// first.
func assemble(head []byte, cut int, parts [][]byte, sep []byte) []byte {
	pieces := make([][]byte, 0, 2*len(parts)+2)
	pieces = append(pieces, head[:cut])
	for i, p := range parts {
		if i > 0 && len(sep) > 0 {
			pieces = append(pieces, sep)
		}
		pieces = append(pieces, p)
	}
	return bytes.Join(append(pieces, head[cut:]), nil)
}
