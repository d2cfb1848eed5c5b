package herald

import (
	"context"
	"testing"
	"time"
)

func TestVariantETag(t *testing.T) {
	tests := []struct {
		etag string
		c    Coding
		want string
	}{
		{`"abc"`, CodingIdentity, `"abc"`},
		{`"abc"`, CodingGzip, `"abc-gzip"`},
		{`"abc"`, CodingBrotli, `"abc-br"`},
		{`"abc"`, CodingZstd, `"abc-zstd"`},
		{``, CodingGzip, ``},
		{`W/"abc"`, CodingGzip, `W/"abc-gzip"`},
	}
	for _, tt := range tests {
		if got := VariantETag(tt.etag, tt.c); got != tt.want {
			t.Fatalf("VariantETag(%q, %q)=%q, want %q", tt.etag, tt.c, got, tt.want)
		}
		// Every variant's tag revalidates the identity representation.
		if tt.etag == `"abc"` {
			if !ParseCondition(VariantETag(tt.etag, tt.c), "").NotModified(tt.etag, time.Time{}, time.Now()) {
				t.Fatalf("If-None-Match %s does not match %s", VariantETag(tt.etag, tt.c), tt.etag)
			}
		}
	}
}

func TestEntryCoded(t *testing.T) {
	e := Entry{Body: []byte("plain"), Variants: Variants{Gzip: []byte("gz"), Zstd: []byte("zs")}}
	tests := []struct {
		ask       Coding
		want      string
		wantCoded Coding
	}{
		{CodingIdentity, "plain", CodingIdentity},
		{CodingGzip, "gz", CodingGzip},
		{CodingZstd, "zs", CodingZstd},
		{CodingBrotli, "plain", CodingIdentity}, // missing variant: identity
	}
	for _, tt := range tests {
		b, c := e.Coded(tt.ask)
		if string(b) != tt.want || c != tt.wantCoded {
			t.Fatalf("Coded(%q)=(%q, %q), want (%q, %q)", tt.ask, b, c, tt.want, tt.wantCoded)
		}
	}
	var v Variants
	for i, c := range Codings {
		v.Set(c, make([]byte, i+1))
	}
	v.Set(CodingIdentity, []byte("ignored"))
	if got := v.Size(); got != 6 {
		t.Fatalf("Size()=%d, want 6", got)
	}
}

// wrapper and special are minimal caches for CacheAs.
type wrapper struct{ Cache }

func (w wrapper) Unwrap() Cache { return w.Cache }

type special struct{ Cache }

func (special) GetCoded(context.Context, FeedKey, *Condition, Coding) (Lookup, error) {
	return Lookup{}, nil
}

func TestCacheAs(t *testing.T) {
	inner := special{}
	if _, ok := CacheAs[CodedGetter](wrapper{wrapper{inner}}); !ok {
		t.Fatalf("CacheAs did not find the optional interface two wrappers deep")
	}
	if _, ok := CacheAs[CodedGetter](wrapper{nil}); ok {
		t.Fatalf("CacheAs found an interface nobody implements")
	}
	if _, ok := CacheAs[CodedGetter](nil); ok {
		t.Fatalf("CacheAs(nil) found something")
	}
}
