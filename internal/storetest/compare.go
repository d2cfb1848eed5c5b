package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// wantArticle fails the test unless got equals want field by field, with
// the suite's contracts: times in UTC and equal, empty lists nil.
func wantArticle(t *testing.T, op string, got, want *herald.Article) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: got a nil article, want %q", op, want.Slug)
	}
	for _, d := range diffArticle(got, want) {
		t.Errorf("%s: %s", op, d)
	}
	if t.Failed() {
		t.FailNow()
	}
}

// wantArticles compares two lists of articles element by element.
func wantArticles(t *testing.T, op string, got, want []*herald.Article) {
	t.Helper()
	if g, w := ids(got), ids(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s: ids=%q, want %q", op, g, w)
	}
	for i := range got {
		wantArticle(t, fmt.Sprintf("%s[%d]", op, i), got[i], want[i])
	}
}

// diffArticle describes every difference between got and want.
func diffArticle(got, want *herald.Article) []string {
	var d []string
	str := func(name, g, w string) {
		if g != w {
			d = append(d, fmt.Sprintf("%s=%q, want %q", name, g, w))
		}
	}
	str("ID", got.ID, want.ID)
	str("Slug", got.Slug, want.Slug)
	str("Title", got.Title, want.Title)
	str("URL", got.URL, want.URL)
	str("Summary", got.Summary, want.Summary)
	str("ContentHTML", got.ContentHTML, want.ContentHTML)
	str("Language", got.Language, want.Language)
	str("Image", got.Image, want.Image)
	str("EpisodeType", got.EpisodeType, want.EpisodeType)
	str("TranscriptURL", got.TranscriptURL, want.TranscriptURL)
	str("TranscriptType", got.TranscriptType, want.TranscriptType)
	str("ChaptersURL", got.ChaptersURL, want.ChaptersURL)
	if got.Episode != want.Episode || got.Season != want.Season {
		d = append(d, fmt.Sprintf("Episode, Season=%d, %d, want %d, %d", got.Episode, got.Season, want.Episode, want.Season))
	}
	tm := func(name string, g, w time.Time) {
		if !g.Equal(w) {
			d = append(d, fmt.Sprintf("%s=%v, want %v", name, g, w))
		}
		if g.Location() != time.UTC {
			d = append(d, fmt.Sprintf("%s is in %v, want UTC", name, g.Location()))
		}
	}
	tm("PublishedAt", got.PublishedAt, want.PublishedAt)
	tm("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	list := func(name string, g, w any) {
		if reflect.ValueOf(w).Len() == 0 {
			if !reflect.ValueOf(g).IsNil() {
				d = append(d, fmt.Sprintf("%s=%#v, want nil for an empty list", name, g))
			}
			return
		}
		if !reflect.DeepEqual(g, w) {
			d = append(d, fmt.Sprintf("%s=%+v, want %+v", name, g, w))
		}
	}
	list("Authors", got.Authors, want.Authors)
	list("Categories", got.Categories, want.Categories)
	list("Tags", got.Tags, want.Tags)
	list("Enclosures", got.Enclosures, want.Enclosures)
	return d
}

// wantTime fails the test unless got equals want.
func wantTime(t *testing.T, name string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s=%v, want %v", name, got, want)
	}
}
