package main

import (
	"net/http"
	"testing"

	"github.com/herald-feeds/herald/internal/pgtest"
)

// TestTextFeedsCannotCarryIsRefused: characters no feed can carry (NUL
// and the other C0 controls but tab and line breaks) and episode numbers
// beyond a 32-bit integer are a 422 naming the field on both stores, never
// a 500 from the database, and nothing is written.
func TestTextFeedsCannotCarryIsRefused(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			var flags []string
			if store == "postgres" {
				flags = []string{"-database-url", pgtest.NewDatabase(t)}
			}
			s := startHerald(t, "", flags...)
			kept := s.create(t, map[string]any{"title": "Kept as it is", "episode": 7})
			for _, tc := range []struct {
				body  string
				field string
			}{
				{`{"title":"a\u0000b"}`, "title"},
				{`{"title":"ok","summary":"line\u0001"}`, "summary"},
				{`{"title":"ok","content_html":"<p>\u0000</p>"}`, "content_html"},
				{`{"title":"ok","categories":["News","b\u0000"]}`, "categories[1]"},
				{`{"title":"ok","tags":["\u001bx"]}`, "tags[0]"},
				{`{"title":"ok","authors":[{"name":"A\u0000"}]}`, "authors[0].name"},
				{`{"title":"ok","summary":"\uffff"}`, "summary"},
				{`{"title":"ok","episode":2147483648}`, "episode"},
				{`{"title":"ok","season":9007199254740993}`, "season"},
			} {
				r := s.api(t, http.MethodPost, "/api/v1/articles", tc.body)
				if e := decodeError(t, r); r.Status != http.StatusUnprocessableEntity || e.Error.Field != tc.field {
					t.Errorf("POST %s: %d %s, want 422 naming %s", tc.body, r.Status, r.Body, tc.field)
				}
			}
			id := kept["id"].(string)
			if r := s.do(t, http.MethodPatch, "/api/v1/articles/"+id, []byte(`{"episode":2147483648,"title":"Changed"}`),
				"Authorization: Bearer "+testToken, "Content-Type: application/merge-patch+json"); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("PATCH episode 2^31: %d %s, want 422", r.Status, r.Body)
			}
			r := s.api(t, http.MethodGet, "/api/v1/articles", nil)
			if r.Status != http.StatusOK || !feedHas(r, "Kept as it is") || feedHas(r, `"ok"`) || feedHas(r, "Changed") {
				t.Errorf("after the refused writes the API lists %s", r.Body)
			}
			// Tab and line breaks are text like any other.
			ok := s.create(t, map[string]any{"title": "Tabs\tand lines", "summary": "one\r\ntwo", "season": 2147483647})
			if ok["season"] != float64(2147483647) {
				t.Errorf("season %v, want 2147483647", ok["season"])
			}
		})
	}
}
