package cache

import (
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestStoredTypeRoundTrip: the ctype field carries the content type and
// the archive and due marks, in any combination, and a mark a later build
// adds is passed over.
func TestStoredTypeRoundTrip(t *testing.T) {
	due := time.Date(2026, 12, 3, 12, 0, 5, 0, time.UTC)
	for _, e := range []herald.Entry{
		{ContentType: "application/rss+xml; charset=utf-8"},
		{ContentType: "application/atom+xml; charset=utf-8", Archive: true},
		{ContentType: "application/feed+json; charset=utf-8", Due: due},
		{ContentType: "application/rss+xml; charset=utf-8", Archive: true, Due: due},
	} {
		var got herald.Entry
		readStoredType(&got, storedType(e))
		if got.ContentType != e.ContentType || got.Archive != e.Archive || !got.Due.Equal(e.Due) {
			t.Errorf("%q read back as %+v, want %+v", storedType(e), got, e)
		}
		var later herald.Entry
		readStoredType(&later, storedType(e)+"\nsomething-new=1")
		if later.ContentType != e.ContentType || later.Archive != e.Archive || !later.Due.Equal(e.Due) {
			t.Errorf("with an unknown mark: %+v, want %+v", later, e)
		}
	}
}
