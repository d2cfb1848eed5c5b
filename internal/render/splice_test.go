package render

import (
	"bufio"
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// renderWhole renders as Render did before items were kept: the whole
// document, items in place, in one encoding. It is the reference spliced
// documents are compared with.
func renderWhole(tb testing.TB, f herald.Format, ch herald.Channel, articles []*herald.Article) []byte {
	tb.Helper()
	if err := checkArticles(articles); err != nil {
		tb.Fatal(err)
	}
	c, err := newChannel(ch, articles)
	if err != nil {
		tb.Fatal(err)
	}
	var tx texts
	entries := channelEntries(f, c, articles, &tx, nil)
	var r Renderer
	none := itemSet{bytes: make([][]byte, len(entries)), flags: make([]itemFlags, len(entries))}
	none.prepared(entries)
	var out output
	switch f {
	case herald.FormatRSS, herald.FormatAtom:
		w := bufio.NewWriter(&out)
		var doc any = r.rss(c, entries, &none, &tx)
		if f == herald.FormatAtom {
			doc = r.atom(c, entries, &none, &tx)
		}
		err = writeXML(w, doc)
	case herald.FormatJSON:
		err = writeJSON(&out, jsonFeedOf(c, entries, &none))
	}
	if err != nil {
		tb.Fatalf("encode whole %s: %v", f, err)
	}
	return out.doc
}

// renderCase is one channel and its articles.
type renderCase struct {
	name     string
	channel  func(herald.Format) herald.Channel
	articles []*herald.Article
}

func spliceCases() []renderCase {
	noDates := sampleArticles()
	for _, a := range noDates {
		a.PublishedAt, a.UpdatedAt = time.Time{}, time.Time{}
	}
	french := sampleArticles()
	for _, a := range french {
		a.Language = "fr"
	}
	return []renderCase{
		{"site", siteChannel, sampleArticles()},
		{"category", categoryChannel, goArticles()},
		{"show", showChannel, showArticles()},
		{"paged", pagedChannel, sampleArticles()[1:]},
		{"many", siteChannel, manyArticles(30)},
		{"no dates", siteChannel, noDates},
		{"another language", siteChannel, french},
		{"empty", siteChannel, nil},
	}
}

// TestSplicedEqualsWhole: whatever items a Renderer has kept, from this
// feed or others, a render gives exactly the bytes of the whole document
// encoded in one go; and a renderer that keeps nothing does too.
func TestSplicedEqualsWhole(t *testing.T) {
	cases := spliceCases()
	for _, f := range herald.Formats {
		t.Run(string(f), func(t *testing.T) {
			keeping, none := New(), NewWithOptions(Options{FragmentCacheBytes: -1})
			// Twice over every case with one renderer: the second pass
			// meets every item kept, the first meets items that other
			// channels (a show, another language, no dates) kept.
			for pass := range 2 {
				for _, tc := range cases {
					want := renderWhole(t, f, tc.channel(f), tc.articles)
					for name, r := range map[string]*Renderer{"keeping": keeping, "none": none} {
						got, err := r.Render(f, tc.channel(f), tc.articles)
						if err != nil {
							t.Fatalf("%s pass %d %s: %v", tc.name, pass, name, err)
						}
						if !bytes.Equal(got, want) {
							t.Fatalf("%s pass %d %s: spliced document differs from the whole one:\n%s\n---- want ----\n%s", tc.name, pass, name, got, want)
						}
					}
				}
			}
			if hits, _ := keeping.FragmentStats(); hits == 0 {
				t.Fatal("the second pass found no kept item")
			}
			if hits, misses := none.FragmentStats(); hits+misses != 0 {
				t.Fatalf("a renderer keeping nothing counted %d hits and %d misses", hits, misses)
			}
		})
	}
}

// TestKeptItemsFollowChanges: after an article changes, the next render
// shows the change and encodes that item alone; a feed's date standing in
// for undated Atom entries, and a show's RSS, are not served another
// feed's items.
func TestKeptItemsFollowChanges(t *testing.T) {
	for _, f := range herald.Formats {
		t.Run(string(f), func(t *testing.T) {
			r := New()
			arts := manyArticles(20)
			mustRenderWith(t, r, f, siteChannel(f), arts)
			_, before := r.FragmentStats()
			changed := arts[7].Clone()
			changed.Title = "A changed title"
			arts[7] = changed
			got := mustRenderWith(t, r, f, siteChannel(f), arts)
			if !bytes.Contains(got, []byte("A changed title")) {
				t.Fatalf("the change is missing:\n%s", got)
			}
			if _, after := r.FragmentStats(); after-before != 1 {
				t.Fatalf("%d items encoded after one article changed, want 1", after-before)
			}
			if want := renderWhole(t, f, siteChannel(f), arts); !bytes.Equal(got, want) {
				t.Fatal("the render after the change differs from the whole document")
			}
		})
	}
	t.Run("atom date stand-in", func(t *testing.T) {
		r := New()
		arts := manyArticles(3)
		for _, a := range arts {
			a.PublishedAt, a.UpdatedAt = time.Time{}, time.Time{}
		}
		for _, when := range []time.Time{day, day.Add(time.Hour)} {
			ch := siteChannel(herald.FormatAtom)
			ch.Updated = when
			got := mustRenderWith(t, r, herald.FormatAtom, ch, arts)
			if want := renderWhole(t, herald.FormatAtom, ch, arts); !bytes.Equal(got, want) {
				t.Fatalf("feed dated %v: entries keep another feed date:\n%s", when, got)
			}
		}
	})
	t.Run("show and site", func(t *testing.T) {
		r := New()
		arts := showArticles()
		for _, ch := range []herald.Channel{siteChannel(herald.FormatRSS), showChannel(herald.FormatRSS), siteChannel(herald.FormatRSS)} {
			got := mustRenderWith(t, r, herald.FormatRSS, ch, arts)
			if want := renderWhole(t, herald.FormatRSS, ch, arts); !bytes.Equal(got, want) {
				t.Fatalf("%s: items of the other kind of feed served:\n%s", ch.Title, got)
			}
		}
	})
}

func mustRenderWith(tb testing.TB, r *Renderer, f herald.Format, ch herald.Channel, articles []*herald.Article) []byte {
	tb.Helper()
	out, err := r.Render(f, ch, articles)
	if err != nil {
		tb.Fatalf("Render(%s): %v", f, err)
	}
	return out
}

// TestItemKeyCoversEveryField changes each field of an article in turn,
// by reflection so that a field added later is covered too, and checks the
// key changes; and that the feed's facts an item depends on change it
// only where they matter.
func TestItemKeyCoversEveryField(t *testing.T) {
	base := func() *herald.Article {
		return &herald.Article{
			ID: "1", Slug: "s", Title: "t", URL: "u", Summary: "s", ContentHTML: "c", Language: "l", Image: "i",
			Authors:    []herald.Author{{Name: "n", Email: "e", URL: "a"}},
			Categories: []string{"x"}, Tags: []string{"y"},
			Enclosures:  []herald.Enclosure{{URL: "eu", Type: "et", Length: 1, Duration: 2}},
			PublishedAt: day, UpdatedAt: day,
			Episode: 1, Season: 1, EpisodeType: "full", TranscriptURL: "tu", TranscriptType: "tt", ChaptersURL: "cu",
		}
	}
	site := channel{language: "en", updated: day}
	key := func(f herald.Format, c channel, a *herald.Article) uint64 { return itemKey(new(keyHash), f, c, a) }
	for _, f := range herald.Formats {
		k0 := key(f, site, base())
		typ := reflect.TypeOf(herald.Article{})
		for i := range typ.NumField() {
			for j, change := range fieldChanges(typ.Field(i).Type) {
				a := base()
				change(reflect.ValueOf(a).Elem().Field(i))
				if key(f, site, a) == k0 {
					t.Errorf("%s: change %d of field %s leaves the key alone", f, j, typ.Field(i).Name)
				}
			}
		}
		// Moving text from one field to the next, or from one list to
		// the other, must not collide.
		a, b := base(), base()
		a.Title, a.URL = "ab", ""
		b.Title, b.URL = "a", "b"
		if key(f, site, a) == key(f, site, b) {
			t.Errorf("%s: title|url %q|%q and %q|%q give one key", f, a.Title, a.URL, b.Title, b.URL)
		}
		a, b = base(), base()
		a.Categories, a.Tags = []string{"x", "y"}, nil
		if key(f, site, a) == key(f, site, b) {
			t.Errorf("%s: a tag moved to the categories gives the same key", f)
		}
		other := site
		other.language = "fr"
		if key(f, other, base()) == k0 {
			t.Errorf("%s: the feed's language leaves the key alone", f)
		}
	}
	show := site
	show.podcast = &herald.Show{}
	if key(herald.FormatRSS, show, base()) == key(herald.FormatRSS, site, base()) {
		t.Error("RSS: a show's item has the key of a site feed's")
	}
	later := site
	later.updated = day.Add(time.Hour)
	if key(herald.FormatAtom, site, base()) != key(herald.FormatAtom, later, base()) {
		t.Error("Atom: the feed's date changes the key of a dated entry")
	}
	undated := base()
	undated.PublishedAt, undated.UpdatedAt = time.Time{}, time.Time{}
	if key(herald.FormatAtom, site, undated) == key(herald.FormatAtom, later, undated) {
		t.Error("Atom: the feed's date leaves the key of an undated entry alone")
	}
	if key(herald.FormatJSON, show, base()) != key(herald.FormatJSON, later, base()) {
		t.Error("JSON: a show or the feed's date change an item's key")
	}
}

// fieldChanges returns ways to change a value of type t (every way that
// matters for it: for a slice, its length and each field of an element).
func fieldChanges(t reflect.Type) []func(reflect.Value) {
	switch t.Kind() {
	case reflect.String:
		return []func(reflect.Value){func(v reflect.Value) { v.SetString(v.String() + "!") }}
	case reflect.Int, reflect.Int64:
		return []func(reflect.Value){func(v reflect.Value) { v.SetInt(v.Int() + 1) }}
	case reflect.Struct:
		if t == reflect.TypeOf(time.Time{}) {
			return []func(reflect.Value){
				func(v reflect.Value) { v.Set(reflect.ValueOf(day.Add(time.Second))) },
				func(v reflect.Value) { v.Set(reflect.ValueOf(time.Time{})) },
			}
		}
		var out []func(reflect.Value)
		for i := range t.NumField() {
			for _, c := range fieldChanges(t.Field(i).Type) {
				out = append(out, func(v reflect.Value) { c(v.Field(i)) })
			}
		}
		return out
	case reflect.Slice:
		out := []func(reflect.Value){
			func(v reflect.Value) { v.Set(reflect.Append(v, v.Index(0))) },
			func(v reflect.Value) { v.Set(v.Slice(0, 0)) },
		}
		for _, c := range fieldChanges(t.Elem()) {
			out = append(out, func(v reflect.Value) {
				cp := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
				reflect.Copy(cp, v)
				c(cp.Index(0))
				v.Set(cp)
			})
		}
		return out
	}
	panic(fmt.Sprintf("fieldChanges: no change known for %s", t))
}

// TestFragmentCacheBounds: the kept bytes stay within the budget, an item
// found in the old generation is copied into the current one, an id that
// does not match is never served, and an item larger than a generation is
// not kept.
func TestFragmentCacheBounds(t *testing.T) {
	const budget = 40 << 10
	c := newFragmentCache(budget)
	item := bytes.Repeat([]byte("x"), 1000)
	for i := range 200 {
		keepOne(c, uint64(i), fmt.Sprint(i), item, usesMedia)
		if held := c.heldBytes(); held > budget {
			t.Fatalf("after %d items %d bytes held, over the budget of %d", i+1, held, budget)
		}
	}
	out, flags := make([][]byte, 1), make([]itemFlags, 1)
	if c.lookup([]uint64{199}, []string{"199"}, out, flags); out[0] == nil || flags[0] != usesMedia {
		t.Fatal("the newest item is gone")
	}
	out[0] = nil
	if c.lookup([]uint64{0}, []string{"0"}, out, flags); out[0] != nil {
		t.Fatal("the oldest item is still served")
	}
	out[0] = nil
	if c.lookup([]uint64{199}, []string{"another"}, out, flags); out[0] != nil {
		t.Fatal("an item was served for another id with the same key")
	}
	// Find an item of the old generation: it is served as a copy.
	var old uint64
	for k := range c.old {
		old = k
		break
	}
	kept := c.old[old].b
	out[0] = nil
	if c.lookup([]uint64{old}, []string{c.old[old].id}, out, flags); out[0] == nil || &out[0][0] == &kept[0] || !bytes.Equal(out[0], kept) {
		t.Fatal("an item of the old generation was not served as a copy")
	}
	if _, ok := c.cur[old]; !ok {
		t.Fatal("an item found in the old generation did not move to the current one")
	}
	huge := bytes.Repeat([]byte("y"), budget)
	keepOne(c, 1<<40, "huge", huge, 0)
	if _, ok := c.cur[1<<40]; ok {
		t.Fatal("an item larger than a generation was kept")
	}
}

// keepOne keeps one item, as a render that encoded it alone would.
func keepOne(c *fragmentCache, key uint64, id string, b []byte, fl itemFlags) {
	c.keep(&itemSet{keys: []uint64{key}, ids: []string{id}, bytes: [][]byte{b}, fresh: []bool{true}, flags: []itemFlags{fl}, missing: 1})
}

// heldBytes is what the cache's two generations hold, counted as add
// counts them.
func (c *fragmentCache) heldBytes() int {
	n := 0
	for _, m := range []map[uint64]fragment{c.cur, c.old} {
		for _, f := range m {
			n += len(f.b) + len(f.id) + fragmentOverhead
		}
	}
	return n
}
