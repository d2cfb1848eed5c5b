package httpserver

import (
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// FuzzArticleJSON runs the write API's input path, strict decoding, date
// parsing and validation, on any body: each step either accepts or
// answers a client error (400 or 422) naming what is wrong; nothing
// panics and nothing becomes a 500.
func FuzzArticleJSON(f *testing.F) {
	for _, seed := range []string{
		`{"title":"Hello","tags":["a"],"authors":[{"name":"Ada","email":"ada@example.com"}]}`,
		`{"title":"x","published_at":"2026-01-01T00:00:00+02:00","enclosures":[{"url":"https://e.com/a.mp3","type":"audio/mpeg","length":1}]}`,
		`{"title":"x","colour":"red"}`,
		`{"title":42}`,
		`{"title":"x"} trailing`,
		`{"title":"\ud800"}`,
		"{\"title\":\"\xff\"}",
		`{"title":"x","slug":"../../etc"}`,
		`{"title":"x","url":"javascript:alert(1)"}`,
		`{"authors":[{"name":null}],"title":"n"}`,
		`[]`, `null`, `""`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in articleInput
		if err := decodeStrict(body, &in); err != nil {
			if code := herald.ErrorCode(err); code != herald.EBadRequest {
				t.Fatalf("decodeStrict(%q): code %q, want %q", body, code, herald.EBadRequest)
			}
			if herald.ErrorMessage(err) == "" {
				t.Fatalf("decodeStrict(%q): empty message", body)
			}
			return
		}
		a, err := in.article()
		if err != nil {
			if herald.ErrorCode(err) != herald.EInvalid || herald.ErrorField(err) == "" {
				t.Fatalf("article(): %v, want EInvalid naming a field", err)
			}
			return
		}
		if err := a.Prepare("https://example.com", now, herald.Limits{}); err != nil {
			if herald.ErrorCode(err) != herald.EInvalid || herald.ErrorField(err) == "" {
				t.Fatalf("Prepare: %v, want EInvalid naming a field", err)
			}
			return
		}
		if a.Slug == "" || a.URL == "" || a.PublishedAt.IsZero() {
			t.Fatalf("accepted article lacks derived fields: %+v", a)
		}
	})
}
