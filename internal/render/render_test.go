package render

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestDeterministic(t *testing.T) {
	for _, f := range herald.Formats {
		t.Run(string(f), func(t *testing.T) {
			ch := siteChannel(f)
			first := mustRender(t, f, ch, sampleArticles())
			if again := mustRender(t, f, ch, sampleArticles()); !bytes.Equal(first, again) {
				t.Fatalf("second render differs:\n%s\nvs\n%s", first, again)
			}
			// Clones, and the same instants in another zone and with
			// sub-second digits a database may keep, render the same bytes.
			zone := time.FixedZone("UTC-7", -7*3600)
			var moved []*herald.Article
			for _, a := range sampleArticles() {
				c := a.Clone()
				c.PublishedAt = c.PublishedAt.In(zone).Add(999 * time.Millisecond)
				c.UpdatedAt = c.UpdatedAt.In(zone)
				moved = append(moved, c)
			}
			ch.Updated = ch.Updated.In(zone)
			if got := mustRender(t, f, ch, moved); !bytes.Equal(first, got) {
				t.Fatalf("render of clones in another zone differs:\n%s\nvs\n%s", first, got)
			}
			// Concurrent renders by one shared Renderer agree too.
			r := New()
			var wg sync.WaitGroup
			outs := make([][]byte, 8)
			for i := range outs {
				wg.Go(func() { outs[i], _ = r.Render(f, siteChannel(f), sampleArticles()) })
			}
			wg.Wait()
			for i, out := range outs {
				if !bytes.Equal(out, first) {
					t.Fatalf("concurrent render %d differs", i)
				}
			}
		})
	}
}
func TestRenderErrors(t *testing.T) {
	good := siteChannel(herald.FormatRSS)
	for _, tc := range []struct {
		name     string
		format   herald.Format
		channel  herald.Channel
		articles []*herald.Article
		want     string
	}{
		{"unknown format", "yaml", good, nil, "unknown format"},
		{"no title", herald.FormatRSS, herald.Channel{FeedURL: good.FeedURL}, nil, "no title"},
		{"no feed URL", herald.FormatAtom, herald.Channel{Title: "T"}, nil, "no feed URL"},
		{"article without id", herald.FormatJSON, good, []*herald.Article{{Title: "x", Slug: "x"}}, "has no id"},
		{"nil article", herald.FormatRSS, good, []*herald.Article{nil}, "is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := New().Render(tc.format, tc.channel, tc.articles)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err=%v, want one containing %q", err, tc.want)
			}
			if out != nil {
				t.Fatalf("out=%q, want nil on error", out)
			}
		})
	}
}

func TestGeneratorOption(t *testing.T) {
	out, err := NewWithOptions(Options{Generator: "Herald 1.0"}).Render(herald.FormatAtom, siteChannel(herald.FormatAtom), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "<generator>Herald 1.0</generator>"; !bytes.Contains(out, []byte(want)) {
		t.Fatalf("output lacks %s:\n%s", want, out)
	}
}

func TestZeroRenderer(t *testing.T) {
	var r Renderer
	got, err := r.Render(herald.FormatRSS, siteChannel(herald.FormatRSS), sampleArticles())
	if err != nil {
		t.Fatal(err)
	}
	if want := mustRender(t, herald.FormatRSS, siteChannel(herald.FormatRSS), sampleArticles()); !bytes.Equal(got, want) {
		t.Fatalf("zero Renderer output differs from New()'s")
	}
}

// TestOutputNotShared checks that a returned document does not share
// memory with the renderer's recycled buffers.
func TestOutputNotShared(t *testing.T) {
	r := New()
	first, err := r.Render(herald.FormatAtom, siteChannel(herald.FormatAtom), sampleArticles())
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Clone(first)
	for _, f := range herald.Formats {
		if _, err := r.Render(f, categoryChannel(f), goArticles()); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(first, want) {
		t.Fatalf("a later render changed an earlier result")
	}
}
