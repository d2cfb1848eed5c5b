package render

import (
	"encoding/json"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestJSONFeedMusts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		articles []*herald.Article
	}{
		{"sample", sampleArticles()},
		{"no articles", nil},
		{"bare and hostile", []*herald.Article{{ID: "0c0c0c0c-0000-4000-8000-000000000000"}, hostileArticle()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := mustRender(t, herald.FormatJSON, siteChannel(herald.FormatJSON), tc.articles)
			if !json.Valid(out) {
				t.Fatalf("invalid JSON:\n%s", out)
			}
			var doc map[string]any
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if got := doc["version"]; got != "https://jsonfeed.org/version/1.1" {
				t.Errorf("version=%v, want the 1.1 URL", got)
			}
			if title, _ := doc["title"].(string); title == "" {
				t.Errorf("title=%v, want a non-empty string", doc["title"])
			}
			if _, ok := doc["author"]; ok {
				t.Errorf("feed has the JSON Feed 1.0 \"author\" key")
			}
			items, ok := doc["items"].([]any)
			if !ok {
				t.Fatalf("items=%v, want an array", doc["items"])
			}
			if len(items) != len(tc.articles) {
				t.Fatalf("%d items, want %d", len(items), len(tc.articles))
			}
			for i, v := range items {
				item := v.(map[string]any)
				if id, _ := item["id"].(string); id == "" {
					t.Errorf("item %d id=%v, want a non-empty string", i, item["id"])
				}
				h, _ := item["content_html"].(string)
				txt, _ := item["content_text"].(string)
				if h == "" && txt == "" {
					t.Errorf("item %d has neither content_html nor content_text", i)
				}
				if _, ok := item["author"]; ok {
					t.Errorf("item %d has the JSON Feed 1.0 \"author\" key", i)
				}
			}
		})
	}
}
