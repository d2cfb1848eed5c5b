package main

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
)

// TestHTMLViewCachedInEveryCache: a feed's HTML view is rendered once per
// revision with each cache configuration, and every request after that
// (a burst included) is answered from the cache in the coding it asks
// for, with a tag per coding and a 304 for any of them; with Redis alone
// the cache sends only the coding asked for.
func TestHTMLViewCachedInEveryCache(t *testing.T) {
	configs := cacheConfigs
	const path, browser = "/categories/engineering/feed.rss", "Accept: text/html"
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			s := startHerald(t, "", cfg.flags(t)...)
			publishSamples(t, s)
			st := s.Feeds.Stats()
			before := st.Renders.Load()
			plain := s.get(t, path, browser)
			if plain.Status != 200 || plain.Header.Get("Vary") != "Accept, Accept-Encoding" {
				t.Fatalf("view: %d, Vary %q", plain.Status, plain.Header.Get("Vary"))
			}
			s.Feeds.Wait() // its variants are made after the first answer
			tag := plain.Header.Get("ETag")
			for _, c := range []struct{ accept, coding string }{
				{"", ""}, {"gzip", "gzip"}, {"gzip, deflate, br, zstd", "br"}, {"zstd, gzip;q=0.5", "zstd"}, {"identity", ""},
			} {
				r := s.get(t, path, browser, "Accept-Encoding: "+c.accept)
				if r.Status != 200 || r.Header.Get("Content-Encoding") != c.coding || !bytes.Equal(decode(t, c.coding, r.Body), plain.Body) {
					t.Fatalf("Accept-Encoding %q: %d %q, want the view in %q", c.accept, r.Status, r.Header.Get("Content-Encoding"), c.coding)
				}
				want := tag
				if c.coding != "" {
					want = tag[:len(tag)-1] + "-" + c.coding + `"`
				}
				if r.Header.Get("ETag") != want {
					t.Fatalf("Accept-Encoding %q: ETag %q, want %q", c.accept, r.Header.Get("ETag"), want)
				}
				if nm := s.get(t, path, browser, "Accept-Encoding: gzip", "If-None-Match: "+want); nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
					t.Fatalf("If-None-Match %s: %d, %d bytes; want an empty 304", want, nm.Status, len(nm.Body))
				}
			}
			if n := st.Renders.Load() - before; n != 1 {
				t.Errorf("%d renders for the view and its repeats, want 1", n)
			}

			// After a write, a burst of browsers: one render between them.
			s.create(t, map[string]any{"title": "Fresh", "categories": []string{"Engineering"}})
			before = st.Renders.Load()
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					if r := s.get(t, path, browser); r.Status != 200 || !bytes.Contains(r.Body, []byte("Fresh")) {
						t.Errorf("view after the write: %d, shows it: %v", r.Status, bytes.Contains(r.Body, []byte("Fresh")))
					}
				})
			}
			wg.Wait()
			if n := st.Renders.Load() - before; n != 1 {
				t.Errorf("a burst of 8 after a write: %d renders, want 1", n)
			}
		})
	}
}
