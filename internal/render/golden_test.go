package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

func TestGolden(t *testing.T) {
	for _, f := range herald.Formats {
		for _, tc := range []struct {
			scope    string
			channel  herald.Channel
			articles []*herald.Article
		}{
			{"site", siteChannel(f), sampleArticles()},
			{"category-go", categoryChannel(f), goArticles()},
			{"podcast-show", showChannel(f), showArticles()},
			{"site-page-2", pagedChannel(f), sampleArticles()[1:]},
		} {
			name := tc.scope + "." + string(f)
			t.Run(name, func(t *testing.T) {
				got := mustRender(t, f, tc.channel, tc.articles)
				path := filepath.Join("testdata", name+".golden")
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/render -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s differs from %s (run with -update if the change is intended):\n%s", name, path, got)
				}
			})
		}
	}
}
