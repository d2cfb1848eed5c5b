package httpserver

import (
	"io"
	"strings"
	"testing"
	"time"
)

// TestMatchTokenFindsEachToken: every configured token is found with its
// own source and mode, whatever its place; anything else, a prefix or an
// extension of a token included, is none.
func TestMatchTokenFindsEachToken(t *testing.T) {
	s := panickyServer(Config{APIToken: "single-token-aaaaaaaa", Tokens: []Token{
		{Secret: "reader-token-bbbbbbbb", ReadOnly: true, Source: "api.tokens[0]"},
		{Secret: "writer-token-cccccccc", Source: "api.tokens[1]"},
	}}, io.Discard)
	for _, tt := range []struct {
		got, source string
		readOnly    bool
	}{
		{"reader-token-bbbbbbbb", "api.tokens[0]", true},
		{"writer-token-cccccccc", "api.tokens[1]", false},
		{"single-token-aaaaaaaa", "api.token", false},
	} {
		tok, ok := s.matchToken(tt.got)
		if !ok || tok.Source != tt.source || tok.ReadOnly != tt.readOnly {
			t.Errorf("matchToken(%s) = %+v, %v; want %s, read-only %v", tt.got[:6], tok, ok, tt.source, tt.readOnly)
		}
	}
	for _, got := range []string{"", "reader-token-bbbbbbb", "writer-token-ccccccccc", "wrong-token-dddddddd"} {
		if tok, ok := s.matchToken(got); ok {
			t.Errorf("matchToken(%q) matched %s", got, tok.Source)
		}
	}
}

// TestTokenCheckHidesLength: a wrong token of the configured token's
// length takes as long to refuse as one of another length. (Comparing the
// tokens themselves returns at once on lengths that differ, and walks the
// whole token on equal ones; a long token makes that plain.)
func TestTokenCheckHidesLength(t *testing.T) {
	const n = 1 << 18
	s := panickyServer(Config{Tokens: []Token{{Secret: strings.Repeat("a", n), Source: "api.tokens[0]"}}}, io.Discard)
	sameLength, otherLength := strings.Repeat("b", n), strings.Repeat("b", n+1)
	s.matchToken(sameLength) // digests made, out of the measure
	// The fastest of many tries of each, taken in turns, so that what
	// else the machine does weighs on both alike.
	same, other := time.Hour, time.Hour
	for range 50 {
		for _, got := range []string{sameLength, otherLength} {
			start := time.Now()
			if _, ok := s.matchToken(got); ok {
				t.Fatal("a wrong token matched")
			}
			if d := time.Since(start); got == sameLength {
				same = min(same, d)
			} else {
				other = min(other, d)
			}
		}
	}
	// Comparing the tokens themselves makes it thousands of times.
	if ratio := float64(same) / float64(other); ratio > 3 || ratio < 1.0/3 {
		t.Errorf("refusing a token of the configured length took %s, of another length %s: the time tells the length", same, other)
	}
}
