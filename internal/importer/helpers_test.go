package importer

import (
	"errors"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

// mustParse parses in as the file path and fails the test on error.
func mustParse(tb testing.TB, path, in string) []*herald.Article {
	tb.Helper()
	got, err := ParseFile(path, []byte(in))
	if err != nil {
		tb.Fatalf("ParseFile(%q): %v", path, err)
	}
	return got
}

// mustParseOne parses a file that must hold exactly one article.
func mustParseOne(tb testing.TB, path, in string) *herald.Article {
	tb.Helper()
	got := mustParse(tb, path, in)
	if len(got) != 1 {
		tb.Fatalf("ParseFile(%q) gave %d articles, want 1", path, len(got))
	}
	return got[0]
}

// mustParseError parses in, which must fail with a *ParseError naming path.
func mustParseError(tb testing.TB, path, in string) *ParseError {
	tb.Helper()
	_, err := ParseFile(path, []byte(in))
	if err == nil {
		tb.Fatalf("ParseFile(%q) succeeded, want an error", path)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		tb.Fatalf("ParseFile(%q) error %T %v, want *ParseError", path, err, err)
	}
	if pe.Path != path || !strings.HasPrefix(err.Error(), path) {
		tb.Fatalf("error %q does not name the path %q", err, path)
	}
	return pe
}
