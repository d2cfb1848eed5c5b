package herald

import (
	"testing"
	"unsafe"
)

// TestParseFormatDoesNotAliasItsInput: the HTTP server hands ParseFormat
// strings that point into buffers it reuses for the next request; the
// Format must not change when they do.
func TestParseFormatDoesNotAliasItsInput(t *testing.T) {
	for _, want := range Formats {
		buf := []byte(want)
		f, ok := ParseFormat(unsafe.String(&buf[0], len(buf)))
		if !ok || f != want {
			t.Fatalf("ParseFormat(%q)=%q, %v", want, f, ok)
		}
		for i := range buf {
			buf[i] = 'x'
		}
		if f != want {
			t.Fatalf("format became %q when the input buffer was reused, want %q", f, want)
		}
	}
	if _, ok := ParseFormat("xml"); ok {
		t.Errorf("ParseFormat accepted xml")
	}
}
