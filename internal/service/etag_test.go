package service

import (
	"regexp"
	"testing"
)

// TestStrongETag: a quoted 16-digit hex tag, the same for the same bytes
// (on every replica: no seed, no state) and different when a byte changes.
func TestStrongETag(t *testing.T) {
	shape := regexp.MustCompile(`^"[0-9a-f]{16}"$`)
	body := []byte("<rss><channel><title>Herald</title></channel></rss>")
	a, b := StrongETag(body), StrongETag(append([]byte(nil), body...))
	if !shape.MatchString(a) || a != b {
		t.Fatalf("StrongETag = %s and %s, want one quoted 16-digit hex tag", a, b)
	}
	// A fixed input pins the function: a change of hash would change every
	// client's tag at once, which must be a decision, not an accident.
	if got := StrongETag([]byte("herald")); got != `"`+pinnedHeraldTag+`"` {
		t.Errorf(`StrongETag("herald") = %s, want "%s"`, got, pinnedHeraldTag)
	}
	seen := map[string]bool{a: true}
	for i := range body {
		changed := append([]byte(nil), body...)
		changed[i] ^= 1
		tag := StrongETag(changed)
		if seen[tag] {
			t.Errorf("byte %d flipped: tag %s seen before", i, tag)
		}
		seen[tag] = true
	}
}

// pinnedHeraldTag is XXH64("herald") with seed 0, the algorithm's
// reference value for that input.
const pinnedHeraldTag = "3447824c9168420c"
