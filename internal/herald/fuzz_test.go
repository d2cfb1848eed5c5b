package herald

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzCondition: parsing never panics, and the answers keep their
// promises whatever the headers hold.
func FuzzCondition(f *testing.F) {
	for _, seed := range [][3]string{
		{`"abc"`, "", "abc"},
		{`W/"abc", "def"`, "", "def"},
		{`*`, "", "x"},
		{`"a,b", c`, "", "a,b"},
		{"", "Sat, 01 Jan 2026 00:00:00 GMT", "x"},
		{"", "Sunday, 06-Nov-94 08:49:37 GMT", "x"},
		{`"unterminated`, "garbage", "unterminated"},
		{"\x00\xff", "\xff", "\x00"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	lastMod := now.Add(-time.Hour)
	f.Fuzz(func(t *testing.T, inm, ims, opaque string) {
		c := ParseCondition(inm, ims)
		etag := `"` + opaque + `"`
		got := c.NotModified(etag, lastMod, now)
		if c == nil && got {
			t.Fatalf("a nil condition matched")
		}
		if c != nil && !c.HasIfNoneMatch && c.ModifiedSince.IsZero() {
			t.Fatalf("ParseCondition(%q, %q) returned a condition with nothing in it", inm, ims)
		}
		// An If-Modified-Since later than now never matches.
		if strings.TrimSpace(inm) == "" && c != nil && c.ModifiedSince.After(now) && got {
			t.Fatalf("a future If-Modified-Since %q matched", ims)
		}
		// Our own ETag, sent back as it was given, always matches, in its
		// strong and its weak form, alone or in a list.
		if !strings.ContainsAny(opaque, "\"") {
			for _, back := range []string{etag, "W/" + etag, `"other", ` + etag} {
				if !ParseCondition(back, ims).NotModified(etag, lastMod, now) {
					t.Fatalf("If-None-Match %q does not match the ETag %s it names", back, etag)
				}
			}
		}
		// A date the server sent back unchanged matches.
		sent := lastMod.Format(http.TimeFormat)
		if !ParseCondition("", sent).NotModified(etag, lastMod, now) {
			t.Fatalf("If-Modified-Since %q does not match its own Last-Modified", sent)
		}
	})
}
