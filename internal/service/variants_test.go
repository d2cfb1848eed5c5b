package service

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/encode"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/render"
)

// TestVariantsMadeOncePerRendering: a miss is answered in identity, the
// variants follow once in the background and every later hit carries
// them; nothing is compressed again until a write makes a new rendering.
func TestVariantsMadeOncePerRendering(t *testing.T) {
	fx := newFixture(t, nil)
	enc, err := encode.New()
	if err != nil {
		t.Fatalf("encode.New: %v", err)
	}
	feeds := NewFeeds(fx.store, fx.cache, render.New(), testSite(), FeedsOptions{Now: fx.clock.Now, Compress: enc.Variants})
	ctx := context.Background()
	if err := fx.articles.Create(ctx, &herald.Article{Title: "One", ContentHTML: "<p>Some words to squeeze.</p>", PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}

	miss, err := feeds.GetCoded(ctx, key, nil, herald.CodingGzip)
	if err != nil {
		t.Fatalf("GetCoded: %v", err)
	}
	if b, c := miss.Entry.Coded(herald.CodingGzip); c != herald.CodingIdentity || len(b) == 0 {
		t.Fatalf("miss answered in %q with %d bytes, want identity (variants come later)", c, len(b))
	}
	feeds.Wait()

	for i := 0; i < 3; i++ {
		for _, c := range herald.Codings {
			res, err := feeds.GetCoded(ctx, key, nil, c)
			if err != nil {
				t.Fatalf("GetCoded(%q): %v", c, err)
			}
			if b, got := res.Entry.Coded(c); got != c || len(b) == 0 || len(b) >= len(miss.Entry.Body) {
				t.Fatalf("hit in %q gave %d bytes in %q, want a smaller %q variant", c, len(b), got, c)
			}
			if res.Entry.ETag != miss.Entry.ETag {
				t.Fatalf("etag %q after compression, want the identity tag %q", res.Entry.ETag, miss.Entry.ETag)
			}
		}
	}
	feeds.Wait()
	st := feeds.Stats()
	if st.Renders.Load() != 1 || st.Compressions.Load() != 1 {
		t.Fatalf("renders=%d compressions=%d, want 1 and 1", st.Renders.Load(), st.Compressions.Load())
	}

	// A write makes a new rendering, compressed once more.
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Two", PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := feeds.Get(ctx, key, nil); err != nil {
		t.Fatal(err)
	}
	feeds.Wait()
	if st.Renders.Load() != 2 || st.Compressions.Load() != 2 {
		t.Fatalf("after a write: renders=%d compressions=%d, want 2 and 2", st.Renders.Load(), st.Compressions.Load())
	}
}
