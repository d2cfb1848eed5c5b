package render

import (
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestCleanRemovesWhatStorageRemoves: the renderer removes a character
// exactly when herald.Unfit says feeds do not carry it, so text cleaned
// as it is stored comes out of every feed unchanged.
func TestCleanRemovesWhatStorageRemoves(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue // surrogates: no valid string holds one
		}
		s := "a" + string(r) + "b"
		if removed := clean(s) != s; removed != herald.Unfit(r) {
			t.Errorf("U+%04X: clean removes it %v, herald.Unfit %v", r, removed, herald.Unfit(r))
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii", "plain text", "plain text"},
		{"whitespace kept", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"C0 controls", "a\x00b\x01c\x08d\x0be\x0cf\x1bg\x1f", "abcdefg"},
		{"DEL kept", "a\x7fb", "a\x7fb"},
		{"C1 controls", "a\u0080b\u0085c\u009fd", "abcd"},
		{"Latin-1 after C1 kept", "\u00a0\u00e9", "\u00a0\u00e9"},
		{"noncharacters", "a\uFFFEb\uFFFFc", "abc"},
		{"replacement char", "a\uFFFDb", "ab"},
		{"lone surrogate", "a\xed\xa0\x80b", "ab"},
		{"invalid byte", "a\xffb\xc3", "ab"},
		{"unicode kept", "café 日本語 🎉", "café 日本語 🎉"},
		{"CDATA end kept", "a]]>b", "a]]>b"},
		{"first byte", "\x00abc", "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clean(tc.in); got != tc.want {
				t.Fatalf("clean(%q)=%q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanAllKeepsCleanSlice(t *testing.T) {
	in := []string{"Go", "Rust"}
	got := cleanAll(in)
	if &got[0] != &in[0] {
		t.Fatalf("cleanAll copied a clean slice")
	}
	got = cleanAll([]string{"Go", "\x00", "R\x1bust"})
	if want := []string{"Go", "Rust"}; !slices.Equal(got, want) {
		t.Fatalf("cleanAll=%q, want %q", got, want)
	}
}

func TestCleanAllocatesNothingWhenClean(t *testing.T) {
	s := "Café concurrency: Go & Rust, 日本語"
	if n := testing.AllocsPerRun(100, func() { _ = clean(s) }); n != 0 {
		t.Fatalf("clean allocated %v times on a clean string, want 0", n)
	}
}

// TestCleanEveryOffset puts each illegal character at every offset of a
// string long enough to span several eight-byte blocks, so that no block
// boundary hides one.
func TestCleanEveryOffset(t *testing.T) {
	base := "The quick brown fox jumps over the lazy dog, twice: é日\n\t."
	for _, bad := range []string{"\x00", "\x01", "\x0b", "\x1f", "\u0085", "\uFFFD", "\uFFFE", "\uFFFF", "\xed\xa0\x80", "\xff"} {
		for i := 0; i <= len(base); i++ {
			if !utf8.RuneStart(base[min(i, len(base)-1)]) && i < len(base) {
				continue // keep the clean part valid UTF-8
			}
			in := base[:i] + bad + base[i:]
			if got := clean(in); got != base {
				t.Fatalf("clean(%q)=%q, want %q", in, got, base)
			}
		}
	}
	if got := clean(base); got != base {
		t.Fatalf("clean changed a clean string: %q", got)
	}
}
