package sample

import (
	"bytes"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/render"
)

// TestFeedSizeIsRealistic pins what the benchmarks and the load test rely
// on: 100 sample articles render to 200–280 KiB of RSS that gzip shrinks
// 3–6 times, like a real feed, and the same seed gives the same bytes.
func TestFeedSizeIsRealistic(t *testing.T) {
	rss := func() []byte {
		a := Articles(100, 1)
		for i, x := range a {
			x.ID = "00000000-0000-4000-8000-00000000000" + string(rune('0'+i%10))
			x.URL = "https://example.com/p"
		}
		ch := herald.Channel{Title: "Sample", SiteURL: "https://example.com", FeedURL: "https://example.com/feed.rss", Language: "en", Updated: time.Unix(0, 0)}
		out, err := render.New().Render(herald.FormatRSS, ch, a)
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		return out
	}
	body := rss()
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, 6)
	w.Write(body)
	w.Close()
	if n := len(body); n < 200<<10 || n > 280<<10 {
		t.Fatalf("RSS of 100 sample articles is %d bytes, want 200–280 KiB", n)
	}
	if ratio := float64(len(body)) / float64(gz.Len()); ratio < 3 || ratio > 6 {
		t.Fatalf("gzip ratio %.1f, want 3–6 like real prose", ratio)
	}
	if !bytes.Equal(body, rss()) {
		t.Fatalf("same seed, different bytes")
	}
	t.Logf("rss %d bytes, gzip %d bytes", len(body), gz.Len())
}
