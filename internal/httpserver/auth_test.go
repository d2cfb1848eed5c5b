package httpserver

import (
	"crypto/sha256"
	"io"
	"strings"
	"testing"
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

// TestTokensAreComparedAsDigests: the server keeps the SHA-256 digest of
// every configured token, in their order, and compares those, all of one
// length: comparing the tokens themselves returns at once on lengths that
// differ, which told a client how long a token is. (That the time no
// longer depends on the length is measured by BenchmarkMatchToken, not
// asserted: a test must not time.)
func TestTokensAreComparedAsDigests(t *testing.T) {
	toks := []Token{{Secret: "short", Source: "api.tokens[0]"}, {Secret: strings.Repeat("a", 1<<10), Source: "api.tokens[1]"}}
	s := panickyServer(Config{Tokens: toks}, io.Discard)
	if len(s.tokenSums) != len(toks) {
		t.Fatalf("%d digests for %d tokens", len(s.tokenSums), len(toks))
	}
	for i, tok := range toks {
		if s.tokenSums[i] != sha256.Sum256([]byte(tok.Secret)) {
			t.Errorf("digest %d is not the SHA-256 of %s", i, tok.Source)
		}
	}
}

// BenchmarkMatchToken refuses a wrong token of the configured token's
// length and one of another length: the two take the same time.
func BenchmarkMatchToken(b *testing.B) {
	const n = 1 << 18
	s := panickyServer(Config{Tokens: []Token{{Secret: strings.Repeat("a", n), Source: "api.tokens[0]"}}}, io.Discard)
	for name, got := range map[string]string{"same-length": strings.Repeat("b", n), "other-length": strings.Repeat("b", n+1)} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, ok := s.matchToken(got); ok {
					b.Fatal("a wrong token matched")
				}
			}
		})
	}
}
