package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// memSink is an in-memory Sink that validates like the real one, keyed by
// slug. On update it keeps the stored PublishedAt when the import gives
// none, so re-importing a text file does not move it to the top of feeds.
type memSink struct {
	now      time.Time
	articles map[string]*herald.Article
	upserts  int
}

func newMemSink() *memSink {
	return &memSink{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), articles: map[string]*herald.Article{}}
}

func (s *memSink) Upsert(ctx context.Context, a *herald.Article) (herald.Upserted, error) {
	s.upserts++
	if a.Slug == "" {
		a.Slug = herald.Slugify(a.Title) // found by the slug it will have, as the service does
	}
	old, exists := s.articles[a.Slug]
	if exists && a.PublishedAt.IsZero() {
		a.PublishedAt = old.PublishedAt
	}
	if err := a.Prepare("https://example.com", s.now, herald.Limits{}); err != nil {
		return 0, err
	}
	old, exists = s.articles[a.Slug]
	s.articles[a.Slug] = a.Clone()
	switch {
	case !exists:
		return herald.UpsertCreated, nil
	case old.SameAs(a):
		return herald.UpsertUnchanged, nil
	}
	return herald.UpsertUpdated, nil
}

// writeFiles creates files (relative name → content) under dir.
func writeFiles(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// runImport runs an import and returns its output with dir shown as "DIR".
func runImport(tb testing.TB, sink Sink, dir string, paths []string, opts Options) (string, Summary, error) {
	tb.Helper()
	var out bytes.Buffer
	sum, err := Run(context.Background(), paths, sink, &out, opts)
	return strings.ReplaceAll(out.String(), dir, "DIR"), sum, err
}

var sampleTree = map[string]string{
	"a.txt":             "Alpha\n\nText body.\n",
	"b.md":              "---\ntitle: Bravo\ntags: [x]\n---\nBody.\n",
	"broken.md":         "---\ntitle: Broken\ntag: x\n---\n",
	"c.json":            `[{"title": "Charlie", "slug": "charlie"}, {"title": "Delta", "url": "not a url"}, {"title": "Foxtrot", "published_at": "yesterday"}, {"title": "Golf"}]`,
	"d.png":             "\x89PNG",
	"README":            "no extension",
	"readme.md":         "# About this folder\n",
	".hidden.txt":       "Hidden\n",
	".git/x.md":         "# In a hidden folder\n",
	"sub/echo.markdown": "# Echo\n\nBody.\n",
}

func TestRunOutputAndSummary(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, sampleTree)
	sink := newMemSink()
	got, sum, err := runImport(t, sink, dir, []string{dir}, Options{})

	want := `skipped   DIR/README: no file extension
created   DIR/a.txt (a)
created   DIR/b.md (b)
failed    DIR/broken.md: line 3: tag: unknown front matter key (known keys: title, slug, url, summary, authors, categories, tags, language, image, enclosures, published_at, episode, season, episode_type, transcript_url, transcript_type, chapters_url)
created   DIR/c.json (charlie)
failed    DIR/c.json (delta): invalid: url must be an absolute http or https URL, got "not a url" (field url)
failed    DIR/c.json: [2].published_at: "yesterday" is neither an RFC 3339 time (2026-03-14T09:30:00Z) nor a date (2026-03-14)
created   DIR/c.json (golf)
skipped   DIR/d.png: .png is not an importable file type
skipped   DIR/readme.md: a README describes its folder; name it explicitly to import it
created   DIR/sub/echo.markdown (echo)
8 files read: 5 articles created, 0 updated, 0 unchanged, 3 failed; 3 files skipped
`
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
	if wantSum := (Summary{Files: 8, Created: 5, Failed: 3, Skipped: 3}); sum != wantSum {
		t.Errorf("summary=%+v, want %+v", sum, wantSum)
	}
	if !errors.Is(err, ErrFailed) {
		t.Errorf("err=%v, want ErrFailed", err)
	}
	if len(sink.articles) != 5 {
		t.Errorf("sink holds %d articles, want 5 (the JSON array's good elements beside its bad one)", len(sink.articles))
	}
	if a := sink.articles["a"]; a == nil || a.ContentHTML != "<p>Text body.</p>\n" {
		t.Errorf("article a=%+v, want the text file's body", a)
	}
}

// TestRunReimportUpdates: a second run updates what changed and reports
// the rest as unchanged.
func TestRunReimportUpdates(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"one.txt":   "One\n\nFirst version.\n",
		"two.md":    "---\ntitle: Two\npublished_at: 2026-02-01\n---\nBody.\n",
		"many.json": `[{"title": "Three"}, {"title": "Four", "slug": "four"}]`,
	})
	sink := newMemSink()
	if _, sum, err := runImport(t, sink, dir, []string{dir}, Options{}); err != nil || sum.Created != 4 {
		t.Fatalf("first run: summary=%+v err=%v, want 4 created", sum, err)
	}
	firstPublished := sink.articles["one"].PublishedAt

	writeFiles(t, dir, map[string]string{"one.txt": "One\n\nSecond version.\n"})
	sink.now = sink.now.Add(time.Hour)
	got, sum, err := runImport(t, sink, dir, []string{dir}, Options{})
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	want := `unchanged DIR/many.json (three)
unchanged DIR/many.json (four)
updated   DIR/one.txt (one)
unchanged DIR/two.md (two)
3 files read: 0 articles created, 1 updated, 3 unchanged, 0 failed; 0 files skipped
`
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
	if wantSum := (Summary{Files: 3, Updated: 1, Unchanged: 3}); sum != wantSum {
		t.Errorf("summary=%+v, want %+v", sum, wantSum)
	}
	if len(sink.articles) != 4 {
		t.Errorf("sink holds %d articles after re-import, want 4", len(sink.articles))
	}
	one := sink.articles["one"]
	if one.ContentHTML != "<p>Second version.</p>\n" {
		t.Errorf("content_html=%q, want the second version", one.ContentHTML)
	}
	if !one.PublishedAt.Equal(firstPublished) {
		t.Errorf("published_at=%v after re-import, want unchanged %v", one.PublishedAt, firstPublished)
	}
}

func TestRunProgress(t *testing.T) {
	tests := []struct {
		files int
		opts  Options
		want  []string
	}{
		{45, Options{}, []string{"… 20/45 files", "… 40/45 files"}},
		{20, Options{}, nil},
		{21, Options{}, []string{"… 20/21 files"}},
		{12, Options{ProgressEvery: 5}, []string{"… 5/12 files", "… 10/12 files"}},
		{45, Options{ProgressEvery: -1}, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d files every %d", tt.files, tt.opts.ProgressEvery), func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{}
			for i := range tt.files {
				files[fmt.Sprintf("n%03d.txt", i)] = fmt.Sprintf("Note %d\n\nBody.\n", i)
			}
			writeFiles(t, dir, files)
			got, sum, err := runImport(t, newMemSink(), dir, []string{dir}, tt.opts)
			if err != nil || sum.Created != tt.files {
				t.Fatalf("summary=%+v err=%v, want %d created", sum, err, tt.files)
			}
			var progress []string
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			for i, l := range lines {
				if strings.HasPrefix(l, "…") {
					progress = append(progress, l)
					// A progress line follows the file that completes the count.
					if n := strings.Count(strings.Join(lines[:i], "\n"), "created "); fmt.Sprintf("… %d/%d files", n, tt.files) != l {
						t.Errorf("%q follows %d created lines", l, n)
					}
				}
			}
			if fmt.Sprint(progress) != fmt.Sprint(tt.want) {
				t.Errorf("progress lines %q, want %q", progress, tt.want)
			}
		})
	}
}

func TestRunExplicitPaths(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"pic.png": "x", "post.txt": "Post\n", "post.md": "# Other post\n", ".dot.md": "# Dotted\n"})
	p := func(name string) string { return filepath.Join(dir, name) }
	got, sum, err := runImport(t, newMemSink(), dir, []string{p("pic.png"), p("post.txt"), p("missing.md"), p("post.txt"), p("post.md"), p(".dot.md")}, Options{})
	want := `failed    DIR/pic.png: extension ".png" is not one of .txt, .md, .markdown, .json, .rss, .atom, .xml, .feed.json: unsupported file type
created   DIR/post.txt (post)
failed    DIR/missing.md: no such file or directory
failed    DIR/post.md: slug "post" was already imported from DIR/post.txt in this run
created   DIR/.dot.md (dot)
5 files read: 2 articles created, 0 updated, 0 unchanged, 3 failed; 0 files skipped
`
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
	if sum.Failed != 3 || !errors.Is(err, ErrFailed) {
		t.Errorf("summary=%+v err=%v, want 3 failed and ErrFailed", sum, err)
	}
}

// TestRunRefusesARepeatedID: two entries giving one id would have the
// later replace (and rename) the earlier, since the store matches by id
// first; the second is reported instead, however its letters are cased.
func TestRunRefusesARepeatedID(t *testing.T) {
	dir := t.TempDir()
	const id = "6f1c2e3a-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
	writeFiles(t, dir, map[string]string{"a.json": `[{"id":"` + id + `","title":"First","slug":"first"},{"id":"` + strings.ToUpper(id) + `","title":"Second","slug":"second"}]`})
	got, sum, _ := runImport(t, newMemSink(), dir, []string{dir}, Options{})
	if sum.Created != 1 || sum.Failed != 1 || !strings.Contains(got, `id "`+strings.ToUpper(id)+`" was already imported from DIR/a.json in this run`) {
		t.Errorf("summary %+v, output:\n%s", sum, got)
	}
}

func TestRunCancelled(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": "A\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sink := newMemSink()
	_, err := Run(ctx, []string{dir}, sink, &bytes.Buffer{}, Options{})
	if !errors.Is(err, context.Canceled) || sink.upserts != 0 {
		t.Fatalf("err=%v upserts=%d, want context.Canceled and none", err, sink.upserts)
	}
}

func TestRunNoPaths(t *testing.T) {
	if _, err := Run(context.Background(), nil, newMemSink(), &bytes.Buffer{}, Options{}); err == nil {
		t.Fatal("Run with no paths succeeded, want an error")
	}
}

func TestRunFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"big.txt": "Big\n\n" + strings.Repeat("x", 100)})
	got, _, err := runImport(t, newMemSink(), dir, []string{dir}, Options{MaxFileSize: 50})
	if !strings.Contains(got, "failed    DIR/big.txt: larger than 50 bytes") || err == nil {
		t.Fatalf("output %q err=%v, want big.txt failed for size", got, err)
	}
}

// TestRunNamedPipeFails: a pipe named on the command line fails at once
// instead of blocking the run on a read that never ends.
func TestRunNamedPipeFails(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.md")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	writeFiles(t, dir, map[string]string{"post.txt": "Post\n"})
	got, sum, err := runImport(t, newMemSink(), dir, []string{fifo, filepath.Join(dir, "post.txt")}, Options{})
	if sum.Failed != 1 || sum.Created != 1 || !errors.Is(err, ErrFailed) || !strings.Contains(got, "failed    DIR/pipe.md: not a regular file") {
		t.Fatalf("summary=%+v err=%v output:\n%s\nwant the pipe failed and the post created", sum, err, got)
	}
}
