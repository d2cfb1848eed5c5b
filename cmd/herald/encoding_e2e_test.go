package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/encode/encodetest"
	"github.com/herald-feeds/herald/internal/redistest"
)

// decode undoes a Content-Encoding with the libraries' own decoders.
func decode(t *testing.T, coding string, b []byte) []byte {
	t.Helper()
	out, err := encodetest.Decode(coding, b)
	if err != nil {
		t.Fatalf("decode %q: %v", coding, err)
	}
	return out
}

// cacheConfigs are the cache configurations a test runs Herald with, as
// flags: the in-process cache, Redis with the local tier in front, and
// Redis alone (each with a throwaway redis-server).
var cacheConfigs = []struct {
	name  string
	flags func(t *testing.T) []string
}{
	{"memory", func(*testing.T) []string { return nil }},
	{"redis+local", func(t *testing.T) []string { return []string{"-redis.url", redistest.Start(t).URL()} }},
	{"redis only", func(t *testing.T) []string {
		return []string{"-redis.url", redistest.Start(t).URL(), "-redis.local-cache=false"}
	}},
}

// TestContentCodings serves every stored coding through the real server,
// with each cache configuration: the right bytes, Content-Encoding, Vary,
// a tag per coding, and a 304 for a client holding any coding's tag.
func TestContentCodings(t *testing.T) {
	configs := cacheConfigs
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			s := startHerald(t, "", cfg.flags(t)...)
			publishSamples(t, s)
			plain := s.get(t, "/feed.rss")
			s.Feeds.Wait() // the variants are made after the first response
			identityTag := plain.Header.Get("ETag")

			tests := []struct {
				accept, wantCoding string
			}{
				{"", ""},
				{"gzip", "gzip"},
				{"gzip, deflate, br, zstd", "br"},
				{"zstd, gzip;q=0.5", "zstd"},
				{"gzip;q=0", ""},
				{"br;q=0, *", "zstd"},
				{"identity", ""},
			}
			for _, tt := range tests {
				var hdr []string
				if tt.accept != "" {
					hdr = []string{"Accept-Encoding: " + tt.accept}
				}
				r := s.get(t, "/feed.rss", hdr...)
				if r.Status != 200 || r.Header.Get("Content-Encoding") != tt.wantCoding {
					t.Fatalf("Accept-Encoding %q: status %d Content-Encoding %q, want 200 %q", tt.accept, r.Status, r.Header.Get("Content-Encoding"), tt.wantCoding)
				}
				if got := decode(t, tt.wantCoding, r.Body); !bytes.Equal(got, plain.Body) {
					t.Fatalf("Accept-Encoding %q: decoded body (%d bytes) differs from identity (%d bytes)", tt.accept, len(got), len(plain.Body))
				}
				if tt.wantCoding != "" && len(r.Body) >= len(plain.Body) {
					t.Fatalf("Accept-Encoding %q: %d bytes, no smaller than identity's %d", tt.accept, len(r.Body), len(plain.Body))
				}
				wantTag := identityTag
				if tt.wantCoding != "" {
					wantTag = identityTag[:len(identityTag)-1] + "-" + tt.wantCoding + `"`
				}
				if got := r.Header.Get("ETag"); got != wantTag {
					t.Fatalf("Accept-Encoding %q: ETag %q, want %q", tt.accept, got, wantTag)
				}
				if !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
					t.Fatalf("Accept-Encoding %q: Vary %q, want it to name Accept-Encoding", tt.accept, r.Header.Get("Vary"))
				}
				// Whatever coding a client holds, its tag revalidates any
				// request, and the 304 names the tag it holds, so that a
				// cache refreshes that response (RFC 9111, 4.3.4); holding
				// this coding's tag too, the 304 names this one.
				for _, other := range []string{"gzip", "br", "zstd", ""} {
					held := identityTag
					if other != "" {
						held = identityTag[:len(identityTag)-1] + "-" + other + `"`
					}
					nm := s.get(t, "/feed.rss", append(hdr, "If-None-Match: "+held)...)
					if nm.Status != http.StatusNotModified || nm.Header.Get("ETag") != held || len(nm.Body) != 0 {
						t.Fatalf("Accept-Encoding %q holding %s: status %d ETag %q body %d bytes; want 304 %q empty",
							tt.accept, held, nm.Status, nm.Header.Get("ETag"), len(nm.Body), held)
					}
					both := s.get(t, "/feed.rss", append(hdr, "If-None-Match: W/"+held+", "+wantTag)...)
					if both.Status != http.StatusNotModified || both.Header.Get("ETag") != wantTag {
						t.Fatalf("Accept-Encoding %q holding %s and %s: status %d ETag %q; want 304 %q",
							tt.accept, held, wantTag, both.Status, both.Header.Get("ETag"), wantTag)
					}
				}
			}
			if n := s.Feeds.Stats().Compressions.Load(); n != 1 {
				t.Fatalf("compressions=%d for one rendering, want 1", n)
			}
		})
	}
}
