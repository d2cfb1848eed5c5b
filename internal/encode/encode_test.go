package encode

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/herald-feeds/herald/internal/encode/encodetest"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sample"
)

// sampleFeed is feed-like XML of about n bytes in made-up prose: words
// from a 3,000-word vocabulary drawn with a Zipf law, as in real text, so
// that it compresses about as well as a real feed (about 4:1 with gzip); a
// repeated string would compress a hundredfold and flatter every number.
func sampleFeed(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := sample.Vocabulary(rng)
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(len(vocab)-1))
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "<item><title>Item %d</title><link>https://example.com/posts/item-%d</link><description><![CDATA[<p>", i, i)
		for j := 0; j < 300; j++ {
			b.WriteString(vocab[zipf.Uint64()])
			if j%17 == 16 {
				b.WriteString(".</p><p>")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString("</p>]]></description></item>\n")
	}
	b.WriteString("</channel></rss>")
	return b.Bytes()
}

// TestVariantsRoundTrip decodes every variant with the libraries' own
// decoders, on several sizes and on concurrent calls sharing the pools.
func TestVariantsRoundTrip(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, size := range []int{0, 1, 1000, 240 << 10} {
		body := sampleFeed(size)[:size]
		for round := 0; round < 2; round++ { // the second round reuses pooled writers
			v, err := e.Variants(body)
			if err != nil {
				t.Fatalf("Variants(%d bytes): %v", size, err)
			}
			got := map[string][]byte{"gzip": v.Gzip, "br": v.Brotli, "zstd": v.Zstd}
			for _, name := range encodetest.Codings {
				if got[name] == nil {
					t.Fatalf("%s variant of %d bytes is nil", name, size)
				}
				plain, err := encodetest.Decode(name, got[name])
				if err != nil {
					t.Fatalf("decode %s of %d bytes: %v", name, size, err)
				}
				if !bytes.Equal(plain, body) {
					t.Fatalf("%s of %d bytes decodes to %d different bytes", name, size, len(plain))
				}
				if size > 1000 && len(got[name]) > size/2 {
					t.Fatalf("%s of %d bytes is %d bytes, want real compression", name, size, len(got[name]))
				}
			}
		}
	}
}

func TestVariantsConcurrent(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	body := sampleFeed(50 << 10)
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			v, err := e.Variants(body)
			if err == nil {
				var plain []byte
				plain, err = encodetest.Decode("gzip", v.Gzip)
				if err == nil && !bytes.Equal(plain, body) {
					err = fmt.Errorf("gzip round trip differs")
				}
			}
			errs <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Variants: %v", err)
		}
	}
}

// BenchmarkVariants is the cost a miss adds to a render: the three codings
// of a 234 KiB feed, side by side.
func BenchmarkVariants(b *testing.B) {
	e, err := New()
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	body := sampleFeed(234 << 10)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var v0 int
	for b.Loop() {
		v, err := e.Variants(body)
		if err != nil {
			b.Fatal(err)
		}
		v0 = v.Size()
	}
	b.ReportMetric(float64(v0), "variant-bytes")
}

// TestEncodeOneCoding: Encode gives each coding's variant, decoding to the
// body, and identity the body itself.
func TestEncodeOneCoding(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	body := sampleFeed(50 << 10)[:50<<10]
	for _, name := range encodetest.Codings {
		out, err := e.Encode(body, herald.Coding(name))
		if err != nil {
			t.Fatalf("Encode %s: %v", name, err)
		}
		if plain, err := encodetest.Decode(name, out); err != nil || !bytes.Equal(plain, body) || len(out) >= len(body)/2 {
			t.Fatalf("Encode %s: %d bytes, decoding err %v, equal %v", name, len(out), err, bytes.Equal(plain, body))
		}
	}
	if out, err := e.Encode(body, herald.CodingIdentity); err != nil || !bytes.Equal(out, body) {
		t.Fatalf("Encode identity: %d bytes, err %v", len(out), err)
	}
}
