package httpserver

import (
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestNegotiateFormat(t *testing.T) {
	tests := []struct {
		accept string
		want   herald.Format
	}{
		{"", herald.FormatRSS},
		{"*/*", herald.FormatRSS},
		{"text/html", herald.FormatRSS},
		{"application/atom+xml", herald.FormatAtom},
		{"APPLICATION/ATOM+XML", herald.FormatAtom},
		{"application/feed+json", herald.FormatJSON},
		{"application/json;q=0.4, application/rss+xml;q=0.3", herald.FormatJSON},
		{"application/rss+xml;q=0.5, application/atom+xml;q=0.9", herald.FormatAtom},
		{"application/atom+xml;q=0, application/rss+xml;q=0.1", herald.FormatRSS},
		{"application/atom+xml, application/feed+json", herald.FormatAtom},
		{"application/rss+xml; charset=utf-8; q=0.8, application/feed+json; q=0.9", herald.FormatJSON},
		// The most specific range rates a format: q=0 refuses it, a
		// wildcard accepts the others.
		{"application/rss+xml;q=0, */*", herald.FormatAtom},
		{"application/rss+xml;q=0.1, */*;q=0.5", herald.FormatAtom},
		{"application/rss+xml;q=0, application/atom+xml;q=0, */*", herald.FormatJSON},
		{"application/feed+json;q=0, application/*;q=0.5", herald.FormatRSS},
		{"application/*;q=0.2, application/atom+xml;q=0.1", herald.FormatRSS},
		// Equal q: the more specific range, then the one named first.
		{"*/*, application/feed+json", herald.FormatJSON},
		{"application/feed+json, application/atom+xml", herald.FormatJSON},
		{"image/png, application/atom+xml", herald.FormatAtom},
		{"application/xml", herald.FormatRSS},
		{"text/*, application/json;q=0.5", herald.FormatJSON},
		// Nothing acceptable: RSS rather than a 406.
		{"application/rss+xml;q=0, application/atom+xml;q=0, application/feed+json;q=0", herald.FormatRSS},
		{"image/png", herald.FormatRSS},
	}
	for _, tt := range tests {
		if got := negotiateFormat(tt.accept); got != tt.want {
			t.Errorf("negotiateFormat(%q)=%q, want %q", tt.accept, got, tt.want)
		}
	}
}

func TestEveryErrorCodeHasAStatus(t *testing.T) {
	codes := []herald.Code{herald.EBadRequest, herald.EInvalid, herald.ENotFound, herald.EMethodNotAllowed, herald.EPrecondition, herald.EConflict, herald.ETooLarge,
		herald.EUnauthorized, herald.EForbidden, herald.EUnavailable, herald.ERateLimited, herald.ENotImplemented, herald.EHTTPVersion, herald.EInternal}
	for _, c := range codes {
		if statusOf[c] < 400 {
			t.Errorf("code %q maps to status %d", c, statusOf[c])
		}
	}
	if len(statusOf) != len(codes) {
		t.Errorf("statusOf has %d entries, the test knows %d codes: update both", len(statusOf), len(codes))
	}
}

// TestDecodeStrictMembers: a member named twice, or in another case than
// its field, is a 400 naming it; the same name in two objects, and upper
// case in values, are fine.
func TestDecodeStrictMembers(t *testing.T) {
	for body, field := range map[string]string{
		`{"title":"a","Title":"b"}`:                                           "Title",
		`{"TITLE":"x"}`:                                                       "TITLE",
		`{"title":"a","title":"b"}`:                                           "title",
		`{"title":"x","authors":[{"name":"a","Name":"b"}]}`:                   "authors[0].Name",
		`{"title":"x","enclosures":[{"url":"u","url":"v"}]}`:                  "enclosures[0].url",
		`{"title":"x","authors":[{"name":"a"},{"nmae":"b"}]}`:                 "authors[1].nmae",
		`{"title":"x","author":[]}`:                                           "author",
		`{"title":"x","enclosures":[{},{"length":"big"}]}`:                    "enclosures[1].length",
		`{"title":"x","tags":["a",5]}`:                                        "tags[1]",
		`{"title":5}`:                                                         "title",
		`{"title":"x","authors":{"name":"a"}}`:                                "authors",
		`{"title":"x","authors":[{"name":"a","email":["e"]}]}`:                "authors[0].email",
		`{"title":"x","authors":[{"name":"a"}],"authors":[]}`:                 "authors",
		`{"title":"x","authors":[{"name":"a"},{"name":"b"}]}`:                 "",
		`{"title":"Hello World","categories":["News","Sport"]}`:               "",
		`{"title":"x","authors":[],"summary":"{\"Title\":1}"}`:                "",
		`{"title":"x","enclosures":[{"url":"u","type":"a/b"}],"summary":"s"}`: "",
	} {
		var in articleInput
		err := decodeStrict([]byte(body), &in)
		if got := herald.ErrorField(err); got != field || field != "" && herald.ErrorCode(err) != herald.EBadRequest {
			t.Errorf("%s: err %v (field %q), want field %q", body, err, got, field)
		}
	}
}

// BenchmarkDecodeStrictHostile: bodies of about a MiB built to make the
// member check work hardest (deep nesting, many elements under deep
// nesting, a long flat list) cost about what decoding them does.
func BenchmarkDecodeStrictHostile(b *testing.B) {
	bodies := map[string]string{
		"deep 30000":          `{"tags":` + strings.Repeat("[", 30000) + strings.Repeat("]", 30000) + `}`,
		"5000 deep, 100k els": `{"tags":` + strings.Repeat("[", 5000) + strings.Repeat("1,", 100000) + "1" + strings.Repeat("]", 5000) + `}`,
		"flat 250k":           `{"tags":[` + strings.Repeat(`"a",`, 250000) + `"a"]}`,
	}
	for name, body := range bodies {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var in articleInput
				if err := decodeStrict([]byte(body), &in); err == nil && name != "flat 250k" {
					b.Fatal("accepted")
				}
			}
		})
	}
}
