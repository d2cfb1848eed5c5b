package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/herald-feeds/herald/internal/herald"
)

// Sink receives the parsed articles. It validates each one (with
// herald.Article.Prepare), stores it, and reports whether it created a new
// article, updated the one with the same slug (which is what makes a
// re-import update rather than duplicate) or found it already as given. Upsert may fill in fields (slug,
// URL, PublishedAt); the importer reads the slug back for its output.
//
// Plain-text files carry no date, so their articles arrive with a zero
// PublishedAt. On an update the Sink should then keep the stored date
// rather than set the current time, or every re-import would move the
// article to the top of its feeds.
type Sink interface {
	Upsert(ctx context.Context, a *herald.Article) (herald.Upserted, error)
}

// Options tune a Run. The zero value is ready to use.
type Options struct {
	// ProgressEvery prints a progress line after every ProgressEvery files
	// when the run has more files than that. Zero means 20; a negative
	// value turns progress lines off.
	ProgressEvery int
	// MaxFileSize is the largest file read, in bytes; a larger one fails.
	// Zero means 8 MiB, well above any real article.
	MaxFileSize int64
}

const (
	defaultProgressEvery = 20
	defaultMaxFileSize   = 8 << 20
)

// Summary counts what a Run did. Created, Updated and Failed count
// articles, since one JSON or feed file may hold many; a file that cannot
// be read or parsed counts as one failure. Skipped counts files.
type Summary struct {
	Files     int // files visited, skipped and failed ones included
	Created   int
	Updated   int
	Unchanged int // already stored as given: nothing written
	Failed    int
	Skipped   int
}

// String is the run's closing line.
func (s Summary) String() string {
	return fmt.Sprintf("%d %s read: %d %s created, %d updated, %d unchanged, %d failed; %d %s skipped",
		s.Files, plural(s.Files, "file", "files"), s.Created, plural(s.Created, "article", "articles"),
		s.Updated, s.Unchanged, s.Failed, s.Skipped, plural(s.Skipped, "file", "files"))
}

// ErrFailed is wrapped by the error Run returns when any file or article
// failed, so that a caller can tell a partly failed import from a cancelled
// one.
var ErrFailed = errors.New("import: some files failed")

// Run imports the files and folders in paths into sink, in a deterministic
// order (arguments in order, folders walked lexically, hidden entries
// passed over). It writes one line per file to out, or one per article
// for files holding several:
//
//	created   notes/first.md (first)
//	updated   notes/second.txt (second)
//	failed    notes/broken.md: line 4: published_at: …
//	skipped   notes/photo.png: .png is not an importable file type
//
// then progress lines ("… 40/120 files") on long runs and the Summary's
// line. A failure does not stop the run; Run returns an error wrapping
// ErrFailed if anything failed, or the context's error if it was cancelled
// (the summary then covers the files done so far).
func Run(ctx context.Context, paths []string, sink Sink, out io.Writer, opts Options) (Summary, error) {
	if len(paths) == 0 {
		return Summary{}, errors.New("import: no files or folders given")
	}
	if opts.ProgressEvery == 0 {
		opts.ProgressEvery = defaultProgressEvery
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = defaultMaxFileSize
	}
	r := &run{sink: sink, out: out, opts: opts, slugs: map[string]string{}, ids: map[string]string{}}
	jobs := collect(paths)
	for i, j := range jobs {
		if err := ctx.Err(); err != nil {
			r.printf("%s\n", r.sum)
			return r.sum, fmt.Errorf("import: %w", err)
		}
		r.sum.Files++
		if err := r.file(ctx, j); err != nil {
			r.printf("%s\n", r.sum)
			return r.sum, fmt.Errorf("import: %w", err)
		}
		if n := opts.ProgressEvery; n > 0 && len(jobs) > n && (i+1)%n == 0 && i+1 < len(jobs) {
			r.printf("… %d/%d files\n", i+1, len(jobs))
		}
	}
	r.printf("%s\n", r.sum)
	if r.sum.Failed > 0 {
		return r.sum, fmt.Errorf("%w (%d %s)", ErrFailed, r.sum.Failed, plural(r.sum.Failed, "failure", "failures"))
	}
	return r.sum, nil
}

// run is the state of one Run.
type run struct {
	sink  Sink
	out   io.Writer
	opts  Options
	sum   Summary
	slugs map[string]string // slug → file that wrote it in this run
	ids   map[string]string // id given by a file → that file
}

// file imports one job. It returns an error only when the run must stop
// (the context was cancelled); everything else is reported and counted.
func (r *run) file(ctx context.Context, j job) error {
	switch {
	case j.err != nil:
		r.fail(j.path, j.err)
		return nil
	case j.skip != "":
		r.sum.Skipped++
		r.printf("skipped   %s: %s\n", j.path, j.skip)
		return nil
	}
	data, err := readFile(j.path, r.opts.MaxFileSize)
	if err != nil {
		r.fail(j.path, err)
		return nil
	}
	articles, err := ParseFile(j.path, data)
	var unparsed ArticleErrors
	if err != nil && !errors.As(err, &unparsed) {
		r.fail(j.path, err)
		return nil
	}
	unparsedAt := make(map[int]error, len(unparsed))
	for _, ae := range unparsed {
		unparsedAt[ae.Index] = ae.Err
	}
	for i, a := range articles {
		label := j.path
		if len(articles) > 1 {
			label += " " + index(i)
		}
		if err, ok := unparsedAt[i]; ok {
			r.fail(j.path, err) // its field names it: "[2].published_at"
			continue
		}
		// Two files claiming one slug would silently overwrite each other,
		// the later one winning; report the clash instead. The slug is
		// predicted the way Prepare derives it when the file gives none.
		slug := herald.SlugOf(a)
		if prev, ok := r.slugs[slug]; ok && slug != "" {
			r.fail(label, fmt.Errorf("slug %q was already imported from %s in this run", slug, prev))
			continue
		}
		// So would two giving one id (the store matches by it first):
		// the later would replace, and rename, the earlier.
		id := strings.ToLower(strings.TrimSpace(a.ID))
		if prev, ok := r.ids[id]; ok && id != "" {
			r.fail(label, fmt.Errorf("id %q was already imported from %s in this run", a.ID, prev))
			continue
		}
		did, err := r.sink.Upsert(ctx, a)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if a.Slug != "" {
				label = j.path + " (" + a.Slug + ")"
			}
			r.fail(label, err)
			continue
		}
		r.slugs[a.Slug] = j.path
		if id != "" {
			r.ids[id] = j.path
		}
		var verb string
		switch did {
		case herald.UpsertCreated:
			verb = "created"
			r.sum.Created++
		case herald.UpsertUnchanged:
			verb = "unchanged"
			r.sum.Unchanged++
		default:
			verb = "updated"
			r.sum.Updated++
		}
		r.printf("%-9s %s (%s)\n", verb, j.path, a.Slug)
	}
	return nil
}

// fail reports and counts one failure.
func (r *run) fail(label string, err error) {
	r.sum.Failed++
	reason := err.Error()
	var pe *ParseError
	if errors.As(err, &pe) {
		reason = pe.Reason()
	}
	r.printf("failed    %s: %s\n", label, reason)
}

// printf writes one output line. Write errors are ignored: the output is a
// report for a person, and the import itself has already happened.
func (r *run) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(r.out, format, args...)
}

// readFile reads at most limit bytes of path, failing if there are more.
func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, statError(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, statError(err)
	}
	if int64(len(data)) > limit {
		return nil, errors.New("larger than " + strconv.FormatInt(limit, 10) + " bytes")
	}
	return data, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
