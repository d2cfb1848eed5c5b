package httpserver

import (
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestAcceptCoding(t *testing.T) {
	tests := []struct {
		header string
		want   herald.Coding
	}{
		{"", herald.CodingIdentity},
		{"gzip", herald.CodingGzip},
		{"GZIP", herald.CodingGzip},
		{"x-gzip", herald.CodingGzip},
		{"gzip, deflate", herald.CodingGzip},
		{"gzip, deflate, br", herald.CodingBrotli},
		{"gzip, deflate, br, zstd", herald.CodingBrotli}, // tie: smallest output first
		{"zstd, gzip", herald.CodingZstd},
		{"br;q=0.5, gzip", herald.CodingGzip},
		{"br;q=0.5, gzip;q=0.8, zstd;q=0.9", herald.CodingZstd},
		{"gzip;q=0", herald.CodingIdentity},
		{"gzip;q=0.000", herald.CodingIdentity},
		{"gzip;q=0, br", herald.CodingBrotli},
		{"gzip ; q=0.5", herald.CodingGzip},
		{"deflate", herald.CodingIdentity},
		{"identity", herald.CodingIdentity},
		{"*", herald.CodingBrotli},
		{"*;q=0.5, br;q=0", herald.CodingZstd},
		{"*;q=0", herald.CodingIdentity},
		{"*;q=0, gzip", herald.CodingGzip},
		{"gzip;q=0.5, identity", herald.CodingIdentity}, // identity preferred
		{"gzip;q=0.5, identity;q=0.5", herald.CodingGzip},
		{"gzip, identity;q=0", herald.CodingGzip},
		{"gzip;q=2", herald.CodingIdentity},    // malformed q refuses
		{"gzip;q=1.5", herald.CodingIdentity},  // so does a "1" with more than zeros after it
		{"gzip;q=1.000", herald.CodingGzip},    // which it may have
		{"gzip;q=0.5x", herald.CodingIdentity}, // malformed q refuses
		{"gzip;q=1.0", herald.CodingGzip},
		{",,gzip,,", herald.CodingGzip},
		{"gzip;level=9", herald.CodingGzip}, // unknown parameter ignored
	}
	for _, tt := range tests {
		if got := acceptCoding([]byte(tt.header)); got != tt.want {
			t.Fatalf("acceptCoding(%q)=%q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestAcceptCodingAllocatesNothing(t *testing.T) {
	h := []byte("gzip;q=0.8, deflate, br;q=0.9, zstd;q=0.7, identity;q=0.1, *;q=0")
	if n := testing.AllocsPerRun(100, func() { acceptCoding(h) }); n != 0 {
		t.Fatalf("acceptCoding allocates %v times per call, want 0", n)
	}
}

func TestAppendETagMatchesVariantETag(t *testing.T) {
	for _, c := range append([]herald.Coding{herald.CodingIdentity}, herald.Codings...) {
		for _, etag := range []string{`"abc"`, `W/"abc"`, ``, `x`} {
			if got, want := string(appendETag(nil, etag, c)), herald.VariantETag(etag, c); got != want {
				t.Fatalf("appendETag(%q, %q)=%q, want %q", etag, c, got, want)
			}
		}
	}
}

func TestIsFeedPath(t *testing.T) {
	tests := map[string]bool{
		"/feed": true, "/feed.rss": true, "/feed.json": true,
		"/tags/go/feed.atom": true, "/categories/news/feed": true, "/authors/ada/feed.rss": true,
		"/": false, "/healthz": false, "/api/v1/articles": false, "/categories/news": false,
		"/tags/go/x/feed.rss": false, "/shows/go/feed.rss": false, "/tags//feed.rss": true,
		"/feed.rss/": true, "/tags/go/feed/": true, "/healthz/": false, "/feed.rss//": false,
	}
	for path, want := range tests {
		if got := isFeedPath(path); got != want {
			t.Fatalf("isFeedPath(%q)=%v, want %v", path, got, want)
		}
	}
}
