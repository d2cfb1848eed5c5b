package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/sqlite"
)

func runCLI(t *testing.T, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, environ, &out, &errb)
	return code, out.String(), errb.String()
}

func TestImportCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	examples := filepath.Join("..", "..", "examples")
	code, out, errOut := runCLI(t, nil, "import", "-database-url", "sqlite:"+db, examples)
	if code != 0 {
		t.Fatalf("import exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "created") || !strings.Contains(out, "0 updated, 0 unchanged, 0 failed") {
		t.Errorf("first import output lacks per-file lines or summary:\n%s", out)
	}
	// Without base_url the derived links are local ones: said, not refused.
	if !strings.Contains(errOut, "base_url is a local address") {
		t.Errorf("import with a local base_url does not warn:\n%s", errOut)
	}
	code, out, _ = runCLI(t, nil, "import", "-database-url", "sqlite:"+db, examples)
	if code != 0 || !strings.Contains(out, " 0 articles created, 0 updated, 7 unchanged") || strings.Contains(out, "\ncreated") {
		t.Errorf("re-import (exit %d) should find every article unchanged, and create none:\n%s", code, out)
	}
	other := filepath.Join(t.TempDir(), "public.db")
	if code, _, errOut := runCLI(t, nil, "import", "-database-url", "sqlite:"+other, "-base-url", "https://news.example.com", examples); code != 0 || strings.Contains(errOut, "base_url") {
		t.Errorf("import with a public base_url: exit %d, stderr:\n%s", code, errOut)
	}
	// The imported articles are in the feeds.
	s := startHerald(t, db)
	f := parseFeed(t, s.get(t, "/feed.atom"))
	if len(f.Items) < 5 {
		t.Errorf("feed after import has %d items, want the examples (at least 5)", len(f.Items))
	}

	code, _, errOut = runCLI(t, nil, "import", "-database-url", "sqlite:"+db)
	if code == 0 || !strings.Contains(errOut, "PATH") {
		t.Errorf("import without paths: exit %d, stderr %q", code, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	writeFile(t, bad, `{"title": 3}`)
	code, out, _ = runCLI(t, nil, "import", "-database-url", "sqlite:"+db, bad)
	if code == 0 || !strings.Contains(out, "failed") {
		t.Errorf("import of a bad file: exit %d, output %q; want a failure reported and a non-zero exit", code, out)
	}
}

func TestConfigCommandMasksSecrets(t *testing.T) {
	code, out, errOut := runCLI(t, []string{"HERALD_API_TOKEN=supersecret-value", "HERALD_REDIS_URL=redis://:hunter2@127.0.0.1:6379/0"}, "config")
	if code != 0 {
		t.Fatalf("config exit %d: %s", code, errOut)
	}
	for _, secret := range []string{"supersecret-value", "hunter2"} {
		if strings.Contains(out, secret) {
			t.Errorf("herald config printed the secret %q", secret)
		}
	}
	if !strings.Contains(out, "****") || !strings.Contains(out, "database_url") {
		t.Errorf("config output lacks the masked token or the keys:\n%s", out)
	}
	if code, _, errOut := runCLI(t, []string{"HERALD_FEED_MAX_LIMIT=0"}, "config"); code == 0 || !strings.Contains(errOut, "feed.max_limit") {
		t.Errorf("bad config: exit %d, stderr %q; want the bad key named", code, errOut)
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	if code, out, _ := runCLI(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "herald ") {
		t.Errorf("version: exit %d output %q", code, out)
	}
	if code, _, errOut := runCLI(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: exit %d stderr %q", code, errOut)
	}
}

// TestServeChecksBeforeTouchingTheStore: an address in use, a missing
// tokens file or a missing folder to import stop `herald serve` with the
// database not even created.
func TestServeChecksBeforeTouchingTheStore(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	examples := filepath.Join("..", "..", "examples")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"address in use", []string{"-addr", taken.Addr().String(), "-import.on-empty-store", examples}, "address already in use"},
		{"missing tokens file", []string{"-addr", "127.0.0.1:0", "-api.tokens-file", "/nonexistent/tokens"}, "api.tokens_file"},
		{"missing import folder", []string{"-addr", "127.0.0.1:0", "-import.on-empty-store", "/nonexistent/posts"}, "import.on_empty_store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "h.db")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out, errb bytes.Buffer
			code := run(ctx, append([]string{"serve", "-database-url", "sqlite:" + db}, tc.args...), nil, &out, &errb)
			if code == 0 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("serve: exit %d, stderr %q; want a failure naming %q", code, errb.String(), tc.want)
			}
			if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("the database exists after the failed start (%v)", err)
			}
		})
	}
}

// TestArgumentsInTheWrongPlace: a flag after an import path is refused
// before anything is written (it used to be read as a file, and the
// articles went to the default store), and healthcheck takes no
// arguments.
func TestArgumentsInTheWrongPlace(t *testing.T) {
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir) // where the default store would be created
	code, _, errOut := runCLI(t, nil, "import", examples, "-database-url", "sqlite:"+filepath.Join(dir, "h.db"))
	if code == 0 || !strings.Contains(errOut, "flags go first") {
		t.Fatalf("import PATH -flag: exit %d stderr %q, want the flag refused", code, errOut)
	}
	for _, p := range []string{"data", "h.db"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s was created by the refused import", p)
		}
	}
	if code, _, errOut := runCLI(t, nil, "healthcheck", "extra"); code == 0 || !strings.Contains(errOut, "takes no arguments") {
		t.Fatalf("healthcheck extra: exit %d stderr %q", code, errOut)
	}
}

// TestHelpAndVersion: -h on any command prints the usage and the flags
// and succeeds, as Go's own flag handling does; --version is version.
func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"serve", "-h"}, {"import", "-h"}, {"copy", "-h"}, {"migrate", "-h"}, {"config", "--help"}} {
		code, _, errOut := runCLI(t, nil, args...)
		if code != 0 || !strings.Contains(errOut, "Usage:") || !strings.Contains(errOut, "-database-url") {
			t.Errorf("herald %q: exit %d, want 0 with the usage and the flags; stderr:\n%.300s", args, code, errOut)
		}
	}
	if code, out, _ := runCLI(t, nil, "--version"); code != 0 || !strings.HasPrefix(out, "herald ") {
		t.Errorf("herald --version: exit %d, out %q", code, out)
	}
}

// TestConfigChecksTheFilesItNames: `herald config` refuses what `herald
// serve` would, the files the configuration names included.
func TestConfigChecksTheFilesItNames(t *testing.T) {
	for _, flag := range []string{"-api.tokens-file", "-import.on-empty-store", "-podcast.shows-file"} {
		code, _, errOut := runCLI(t, nil, "config", flag, "/nonexistent/x")
		if code == 0 || !strings.Contains(errOut, "/nonexistent/x") {
			t.Errorf("config %s /nonexistent/x: exit %d stderr %q, want a failure naming the file", flag, code, errOut)
		}
	}
	if code, out, _ := runCLI(t, nil, "config"); code != 0 || !strings.Contains(out, "database_url") {
		t.Errorf("config: exit %d, want the printout", code)
	}
}

// TestImportWithoutRedisLeavesItsInvalidationsOnRecord: an import that has
// no Redis cannot reach the caches of the servers using the store, so it
// leaves its writes' invalidations on record there for them to deliver,
// rather than clear them as if its own memory had been a delivery.
func TestImportWithoutRedisLeavesItsInvalidationsOnRecord(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	if code, out, errOut := runCLI(t, nil, "import", "-database-url", "sqlite:"+db, filepath.Join("..", "..", "examples")); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	st, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	owed, err := st.Undelivered(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, u := range owed {
		keys[u.Scope.Key()] = true
	}
	if !keys["site"] || !keys["category:essays"] {
		t.Fatalf("records after the import: %v, want the site and every written scope", owed)
	}
}

// TestExportThroughTheAPIAndImport: the articles an API listing returns,
// saved as a JSON file and imported into a new store, keep their ids, so
// the new site's feeds carry the same item identities and a reader that
// follows the site across the move sees no item twice.
func TestExportThroughTheAPIAndImport(t *testing.T) {
	src := startHerald(t, "")
	for _, title := range []string{"First moved", "Second moved", "Third moved"} {
		src.create(t, map[string]any{"title": title, "categories": []string{"Moves"}})
	}
	list := src.api(t, "GET", "/api/v1/articles?per_page=100", nil)
	var page struct {
		Articles []json.RawMessage `json:"articles"`
	}
	mustUnmarshal(t, list.Body, &page)
	if len(page.Articles) != 3 {
		t.Fatalf("listing: %s", list.Body)
	}
	file := filepath.Join(t.TempDir(), "export.json")
	out, _ := json.Marshal(page.Articles)
	writeFile(t, file, string(out))

	db := filepath.Join(t.TempDir(), "new.db")
	if code, stdout, stderr := runCLI(t, nil, "import", "-database-url", "sqlite:"+db, file); code != 0 || !strings.Contains(stdout, "3 articles created") {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	dst := startHerald(t, db)
	guids := func(s *testServer) []string {
		var ids []string
		for _, it := range parseFeed(t, s.get(t, "/categories/moves/feed.rss")).Items {
			ids = append(ids, it.GUID)
		}
		slices.Sort(ids)
		return ids
	}
	if a, b := guids(src), guids(dst); len(a) != 3 || !slices.Equal(a, b) {
		t.Errorf("item guids before %q, after the move %q; want the same", a, b)
	}
}

// TestShortTokenWarnsAtStart: a token shorter than 16 bytes is accepted
// with a warning from the server as it starts, naming where it was set,
// never its value; other commands (a healthcheck every 30 s) say nothing.
func TestShortTokenWarnsAtStart(t *testing.T) {
	// The start stops at the taken address, after the warning.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	db := filepath.Join(t.TempDir(), "h.db")
	code, _, errOut := runCLI(t, []string{"HERALD_API_TOKEN=abc"}, "serve", "-addr", taken.Addr().String(), "-database-url", "sqlite:"+db)
	if code == 0 || !strings.Contains(errOut, "the token of api.token is shorter than 16 bytes") || strings.Contains(errOut, "abc") {
		t.Errorf("serve with a 3-byte token: exit %d, stderr:\n%s", code, errOut)
	}
	if _, _, errOut := runCLI(t, []string{"HERALD_API_TOKEN=abc"}, "config"); strings.Contains(errOut, "shorter than") {
		t.Errorf("herald config warns about the token:\n%s", errOut)
	}
}
