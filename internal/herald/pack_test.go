package herald

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
)

// fullArticle sets every field of an article, and of its authors and
// enclosures, to a value no other field has.
func fullArticle() *Article {
	day := time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)
	return &Article{
		ID: "id-1", Slug: "slug", Title: "Tïtle <b>", URL: "https://example.com/a", Summary: "summary",
		ContentHTML: "<p>content\u00a0and more</p>",
		Authors:     []Author{{Name: "Ana", Email: "ana@example.com", URL: "https://ana.example"}, {Name: "Bo", Email: "b@example.com", URL: "https://bo.example"}},
		Categories:  []string{"News", "World"}, Tags: []string{"go"},
		Language: "en-GB", Image: "https://example.com/i.png",
		Enclosures:  []Enclosure{{URL: "https://example.com/e.mp3", Type: "audio/mpeg", Length: 1 << 40, Duration: 3600}},
		PublishedAt: day, UpdatedAt: day.Add(time.Hour),
		Episode: 2147483647, Season: 3, EpisodeType: "bonus",
		TranscriptURL: "https://example.com/t.vtt", TranscriptType: "text/vtt", ChaptersURL: "https://example.com/c.json",
	}
}

// TestPackCoversEveryField: every field of Article comes back from its
// pack. A field added to Article and left out of the pack fails here,
// because fullArticle must set every field (checked by reflection).
func TestPackCoversEveryField(t *testing.T) {
	a := fullArticle()
	for _, v := range []reflect.Value{reflect.ValueOf(*a), reflect.ValueOf(a.Authors[0]), reflect.ValueOf(a.Enclosures[0])} {
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Fatalf("fullArticle leaves %s.%s unset", v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
	got, err := UnpackArticle(PackArticle(a))
	if err != nil {
		t.Fatalf("UnpackArticle: %v", err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, a)
	}
}

// TestPackEmpty: an article with no lists and zero numbers comes back with
// nil lists, as the stores' rows give them, and zero times stay zero.
func TestPackEmpty(t *testing.T) {
	a := &Article{ID: "x", Title: "t", Authors: []Author{}, Tags: []string{}}
	got, err := UnpackArticle(PackArticle(a))
	if err != nil {
		t.Fatalf("UnpackArticle: %v", err)
	}
	want := &Article{ID: "x", Title: "t"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestPackTimesAreSeconds: times are packed as the stores keep them,
// whole seconds in UTC.
func TestPackTimesAreSeconds(t *testing.T) {
	a := fullArticle()
	a.PublishedAt = time.Date(2026, 1, 2, 3, 4, 5, 999_000_000, time.FixedZone("X", 3600))
	got, err := UnpackArticle(PackArticle(a))
	if err != nil {
		t.Fatalf("UnpackArticle: %v", err)
	}
	if want := time.Date(2026, 1, 2, 2, 4, 5, 0, time.UTC); got.PublishedAt != want {
		t.Errorf("PublishedAt %v, want %v", got.PublishedAt, want)
	}
}

// inner returns the fields of pack p, uncompressed.
func inner(t *testing.T, p []byte) []byte {
	t.Helper()
	b, err := s2.Decode(nil, p[1:])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// repack compresses fields as a pack.
func repack(fields []byte) []byte {
	return append([]byte{PackFormat}, s2.Encode(nil, fields)...)
}

// TestUnpackRefusesDamage: every shortened pack, a pack with a byte too
// many, inside or after its compressed fields, one whose fields end early
// or claim a list longer than the pack, and one of another format are
// errors, never a wrong article.
func TestUnpackRefusesDamage(t *testing.T) {
	p := PackArticle(fullArticle())
	for n := range len(p) {
		if a, err := UnpackArticle(p[:n]); err == nil {
			t.Fatalf("pack cut to %d of %d bytes unpacked as %+v", n, len(p), a)
		}
	}
	if _, err := UnpackArticle(append(p[:len(p):len(p)], 0)); err == nil {
		t.Error("a byte after the compressed fields was accepted")
	}
	fields := inner(t, p)
	if _, err := UnpackArticle(repack(append(fields[:len(fields):len(fields)], 0))); err == nil {
		t.Error("a byte after the article's fields was accepted")
	}
	for n := range len(fields) {
		if a, err := UnpackArticle(repack(fields[:n])); err == nil {
			t.Fatalf("fields cut to %d of %d bytes unpacked as %+v", n, len(fields), a)
		}
	}
	other := append([]byte{}, p...)
	other[0] = PackFormat + 1
	if _, err := UnpackArticle(other); !errors.Is(err, ErrPackFormat) {
		t.Errorf("another format: %v, want ErrPackFormat", err)
	}
	// A list claiming more elements than bytes left.
	if _, err := UnpackArticle(repack([]byte{0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})); err == nil {
		t.Error("a list longer than the pack was accepted")
	}
	// A header claiming more than an article can hold allocates nothing.
	if _, err := UnpackArticle([]byte{PackFormat, 0xff, 0xff, 0xff, 0xff, 0x0f}); err == nil {
		t.Error("a pack claiming 4 GiB was accepted")
	}
}

// FuzzUnpackArticle: no input makes UnpackArticle panic, and what it
// accepts packs again to an article equal to itself.
func FuzzUnpackArticle(f *testing.F) {
	f.Add(PackArticle(fullArticle()))
	f.Add(PackArticle(&Article{}))
	f.Fuzz(func(t *testing.T, p []byte) {
		a, err := UnpackArticle(p)
		if err != nil {
			return
		}
		b, err := UnpackArticle(PackArticle(a))
		if err != nil {
			t.Fatalf("repacked article does not unpack: %v", err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("repacked article differs:\n%+v\n%+v", a, b)
		}
	})
}

// BenchmarkUnpackArticle: what unpacking costs per article of the size a
// news article has.
func BenchmarkUnpackArticle(b *testing.B) {
	a := fullArticle()
	for len(a.ContentHTML) < 2000 {
		a.ContentHTML += "<p>Another paragraph of the article's text.</p>"
	}
	p := PackArticle(a)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnpackArticle(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPackWrites: runs cover every pack once, in order, none above
// PackWriteBytes unless it is a single pack that is.
func TestPackWrites(t *testing.T) {
	size := func(n int) []byte { return make([]byte, n) }
	third := PackWriteBytes / 3
	packs := [][]byte{size(third), size(third), size(third), size(third), size(PackWriteBytes * 2), size(1), size(PackWriteBytes)}
	got := PackWrites(packs)
	want := []PackRange{{0, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PackWrites: %v, want %v", got, want)
	}
	if got := PackWrites(nil); len(got) != 0 {
		t.Errorf("PackWrites(nil): %v", got)
	}
}
