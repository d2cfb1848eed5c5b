package render

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gorilla/feeds"
)

// encodeWithXML is what encoding/xml writes for v as the element name,
// indented by two spaces after prefix, preceded by the line feed that
// precedes it inside a document: the bytes the item writers must give.
func encodeWithXML(tb testing.TB, v any, name, prefix string) []byte {
	tb.Helper()
	var out output
	out.doc = append(out.doc, '\n')
	w := bufio.NewWriter(&out)
	enc := xml.NewEncoder(w)
	enc.Indent(prefix, "  ")
	if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}}); err != nil {
		tb.Fatalf("encoding/xml: %v", err)
	}
	if err := enc.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.doc
}

// written is what it writes of itself at prefix.
func written(it interface{ write(*xmlPrinter) }, prefix string) []byte {
	p := xmlPrinter{prefix: prefix}
	it.write(&p)
	return p.b
}

// trickyStrings are what the filler picks field values from: empty,
// plain, every character encoding/xml escapes, characters it replaces
// (controls, U+FFFE, a lone continuation byte, a surrogate's encoding),
// a literal U+FFFD, CDATA's end, and runs long enough for the eight-byte
// fast path with a markup character at every offset.
var trickyStrings = []string{
	"", "plain", "Zoë O'Brien & <Co> \"quoted\"", "tab\there\nline\r\nend",
	"\x00\x01\x1b\x7f", "\uFFFE\uFFFF", "a\x80b", "\xed\xa0\x80", "\uFFFD", "]]>", "x]]]>y]]>]]>",
	"https://example.com/a?b=1&c=2", "0123456789abcdef0123456789abcdef<", "01234567&", "0123456'89",
	`C:\path\to\a "quoted" file`, "\U0001F389 emoji and 李", "\u2028\u2029\u0085", strings.Repeat("long text without markup ", 20),
}

// fillFields sets the fields of v, recursively and unexported ones too: with
// all, every string to a non-empty value, every pointer to a value,
// every slice to two elements and every number to a non-zero one, so that
// a field an item writer leaves out shows; otherwise each at random.
func fillFields(v reflect.Value, rng *rand.Rand, all bool) {
	switch v.Kind() {
	case reflect.String:
		s := trickyStrings[rng.IntN(len(trickyStrings))]
		for all && s == "" {
			s = trickyStrings[rng.IntN(len(trickyStrings))]
		}
		v.SetString(s)
	case reflect.Int, reflect.Int32, reflect.Int64:
		if all || rng.IntN(2) == 0 {
			v.SetInt(rng.Int64N(1 << 40))
		}
	case reflect.Pointer:
		if all || rng.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fillFields(v.Elem(), rng, all)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			str := trickyStrings[rng.IntN(len(trickyStrings))]
			for all && str == "" {
				str = trickyStrings[rng.IntN(len(trickyStrings))]
			}
			v.SetBytes([]byte(str))
			return
		}
		n := 2
		if !all {
			n = rng.IntN(3)
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fillFields(v.Index(i), rng, all)
		}
	case reflect.Struct:
		switch v.Type() {
		case reflect.TypeFor[xml.Name]():
			return
		case reflect.TypeFor[time.Time]():
			// Any instant of years 1 to 9999, at times with a fraction of
			// a second or in another zone.
			t := time.Unix(rng.Int64N(253402300800+62135596800)-62135596800, 0).UTC()
			if rng.IntN(4) == 0 {
				t = t.Add(time.Duration(rng.IntN(1e9))).In(time.FixedZone("", 3600*(rng.IntN(27)-12)))
			}
			v.Set(reflect.ValueOf(t))
			return
		}
		for i := range v.NumField() {
			f := v.Field(i)
			if !f.CanSet() {
				f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			}
			fillFields(f, rng, all)
		}
	case reflect.Bool:
		v.SetBool(all || rng.IntN(2) == 0)
	default:
		panic("fillFields: no value for a field of kind " + v.Kind().String())
	}
}

// TestItemWritersMatchEncodingXML: an RSS item and an Atom entry, with
// every field set (gorilla's, ours, the podcast episode's), with none,
// and with fields set at random to values encoding/xml escapes or
// replaces, are written byte for byte as encoding/xml encodes them. A
// field added to any of those structs and not to the writer fails here.
func TestItemWritersMatchEncodingXML(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(t *testing.T, it interface{ write(*xmlPrinter) }, name, prefix string) {
		t.Helper()
		want := encodeWithXML(t, it, name, prefix)
		if got := written(it, prefix); !bytes.Equal(got, want) {
			t.Fatalf("written:\n%s\nencoding/xml:\n%s", got, want)
		}
	}
	t.Run("every field", func(t *testing.T) {
		for range 20 {
			var it rssItem
			fillFields(reflect.ValueOf(&it).Elem(), rng, true)
			if it.rssEpisode == nil || it.Content == nil || it.Enclosure == nil || len(it.Categories) == 0 {
				t.Fatal("fill left a field of the item empty")
			}
			check(t, &it, "item", "    ")
			var x atomEntry
			fillFields(reflect.ValueOf(&x).Elem(), rng, true)
			if x.Contributor == nil || x.Summary == nil || len(x.Links) == 0 {
				t.Fatal("fill left a field of the entry empty")
			}
			check(t, &x, "entry", "  ")
		}
	})
	t.Run("no field", func(t *testing.T) {
		check(t, &rssItem{}, "item", "    ")
		check(t, &atomEntry{}, "entry", "  ")
	})
	t.Run("fields at random", func(t *testing.T) {
		for range 2000 {
			var it rssItem
			fillFields(reflect.ValueOf(&it).Elem(), rng, false)
			check(t, &it, "item", "    ")
			var x atomEntry
			fillFields(reflect.ValueOf(&x).Elem(), rng, false)
			check(t, &x, "entry", "  ")
		}
	})
}

// FuzzAppendEscaped: appendEscaped gives encoding/xml's escaping of any
// string, valid UTF-8 or not.
func FuzzAppendEscaped(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got := appendEscaped([]byte("x"), s); !bytes.Equal(got[1:], want.Bytes()) || got[0] != 'x' {
			t.Fatalf("appendEscaped(%q) = %q, want %q after the bytes it was given", s, got, want.Bytes())
		}
	})
}

// FuzzCDATA: a field tagged cdata is written as encoding/xml writes it.
func FuzzCDATA(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := rssContent{HTML: s}
		want := encodeWithXML(t, &v, "content:encoded", "")
		p := xmlPrinter{}
		p.start("content:encoded")
		p.open()
		p.cdata(v.HTML)
		p.end("content:encoded")
		if !bytes.Equal(p.b, want) {
			t.Fatalf("cdata of %q:\n%q\nencoding/xml:\n%q", s, p.b, want)
		}
	})
}

// TestItemWritersMatchEncodingJSON: a JSON Feed item with every field set
// (gorilla's and ours), with none, and with fields set at random to
// strings encoding/json escapes, is written byte for byte as writeJSON
// encodes it; a date encoding/json refuses fails the writer too.
func TestItemWritersMatchEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(t *testing.T, it *jsonItem) {
		t.Helper()
		var want output
		if err := writeJSON(&want, it); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		got, err := it.write([]byte("x"))
		if err != nil || string(got[0]) != "x" || !bytes.Equal(got[1:], bytes.TrimSuffix(want.doc, []byte("\n"))) {
			t.Fatalf("written (err %v):\n%s\nencoding/json:\n%s", err, got, want.doc)
		}
	}
	t.Run("every field", func(t *testing.T) {
		for range 20 {
			var it jsonItem
			fillFields(reflect.ValueOf(&it).Elem(), rng, true)
			if it.PublishedDate == nil || it.Author == nil || len(it.Attachments) == 0 || it.Language == "" {
				t.Fatal("fill left a field of the item empty")
			}
			check(t, &it)
		}
	})
	t.Run("no field", func(t *testing.T) { check(t, &jsonItem{}) })
	t.Run("fields at random", func(t *testing.T) {
		for range 2000 {
			var it jsonItem
			fillFields(reflect.ValueOf(&it).Elem(), rng, false)
			check(t, &it)
		}
	})
	t.Run("authors that are nil or empty", func(t *testing.T) {
		check(t, &jsonItem{JSONItem: feeds.JSONItem{Authors: []*feeds.JSONAuthor{nil, {}, {Avatar: "a"}}}})
	})
	t.Run("a year of five digits", func(t *testing.T) {
		d := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		it := &jsonItem{JSONItem: feeds.JSONItem{ModifiedDate: &d}}
		var out output
		if writeJSON(&out, it) == nil {
			t.Fatal("encoding/json took a year of five digits")
		}
		if _, err := it.write(nil); err == nil {
			t.Fatal("the writer took a year of five digits")
		}
	})
}

// FuzzAppendJSONString: appendJSONString gives encoding/json's escaping,
// HTML escaping off, of any string, valid UTF-8 or not.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Add("\b\f\\\"/\u2028\u2029")
	f.Fuzz(func(t *testing.T, s string) {
		var want output
		if err := writeJSON(&want, s); err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); !bytes.Equal(got[1:], bytes.TrimSuffix(want.doc, []byte("\n"))) || got[0] != 'x' {
			t.Fatalf("appendJSONString(%q) = %q, want %q after the bytes it was given", s, got, want.doc)
		}
	})
}
