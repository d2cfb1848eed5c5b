package render

import (
	"fmt"
	"slices"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestSameSlugAgreesWithSlugify(t *testing.T) {
	names := []string{
		"", "!!", "Go", "go", "GO!", "Go & Rust", "go-rust", "go rust 2", "gorust",
		"ab c", "a bc", "a-b-c", "A.B.C", "Ünïcode", "ünïcode", "unicode", "日本", "日本 語",
		"x\xffy", "x y", "xy", "  lead", "lead  ", "ΣΑΣ", "σας", "İstanbul", "istanbul",
		// Combining marks: kept after a letter of the same word in a name
		// in NFC, dropped at a word's start and in a decomposed name.
		"किम", "कुम", "क-म", "क म", "कम", "कि", "क", "\u093fक", "क \u093f", "क्ष", "क ष", "कष",
		"हिन्दी समाचार", "हिन्दी-समाचार", "ह-न-द-सम-च-र", "café", "Cafe\u0301", "cafe", "caf-e",
		"e\u0301", "é", "e", "ไทย", "ไ-ท-ย",
	}
	for _, a := range names {
		for _, b := range names {
			want := herald.Slugify(a) == herald.Slugify(b)
			if got := sameSlug(a, b); got != want {
				t.Errorf("sameSlug(%q, %q)=%v, want %v (slugs %q, %q)", a, b, got, want, herald.Slugify(a), herald.Slugify(b))
			}
		}
	}
}

func TestTerms(t *testing.T) {
	var long, longWant []string
	for i := range 40 {
		long = append(long, fmt.Sprintf("Tag %d", i))
		longWant = append(longWant, fmt.Sprintf("Tag %d", i))
	}
	for _, tc := range []struct {
		name                   string
		categories, tags, want []string
	}{
		{"none", nil, nil, nil},
		{"categories only", []string{"Go"}, nil, []string{"Go"}},
		{"tags only", nil, []string{"go"}, []string{"go"}},
		{"merged, first spelling kept", []string{"Go", "Go & Rust"}, []string{"go", "go-rust", "Rust"}, []string{"Go", "Go & Rust", "Rust"}},
		{"names apart by their marks", []string{"किम"}, []string{"कुम", "किम"}, []string{"किम", "कुम"}},
		{"long lists use a set", []string{"Go"}, append(slices.Clone(long), "tag-3", "GO"), append([]string{"Go"}, longWant...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := terms(tc.categories, tc.tags); !slices.Equal(got, tc.want) {
				t.Fatalf("terms=%q, want %q", got, tc.want)
			}
		})
	}
}
