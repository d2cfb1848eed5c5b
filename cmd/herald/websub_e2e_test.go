package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/pgtest"
)

// testHub is a WebSub hub that records the topics of the publish
// notifications it gets, with the time each came.
type testHub struct {
	*httptest.Server
	got chan hubPing
}

type hubPing struct {
	topic string
	at    time.Time
}

func newTestHub(t *testing.T) *testHub {
	h := &testHub{got: make(chan hubPing, 1000)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost || r.PostForm.Get("hub.mode") != "publish" {
			t.Errorf("hub got %s %v (form error %v), want a publish notification", r.Method, r.PostForm, err)
		}
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "Herald/") {
			t.Errorf("hub got User-Agent %q", ua)
		}
		h.got <- hubPing{r.PostForm.Get("hub.url"), time.Now()}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

// take waits for n notifications and returns their topics, sorted.
func (h *testHub) take(t *testing.T, n int) ([]string, []hubPing) {
	t.Helper()
	var pings []hubPing
	for len(pings) < n {
		select {
		case p := <-h.got:
			pings = append(pings, p)
		case <-time.After(15 * time.Second):
			t.Fatalf("the hub got %d notifications, want %d: %v", len(pings), n, pings)
		}
	}
	var topics []string
	for _, p := range pings {
		topics = append(topics, p.topic)
	}
	slices.Sort(topics)
	return topics, pings
}

// none checks that no notification is waiting at the hub.
func (h *testHub) none(t *testing.T, after string) {
	t.Helper()
	select {
	case p := <-h.got:
		t.Errorf("after %s the hub got a notification of %s, want none", after, p.topic)
	default:
	}
}

// topicsOf lists the three formats' subscription URLs of each feed path
// ("" for the site, "categories/go"…) under the test servers' base URL.
func topicsOf(paths ...string) []string {
	var out []string
	for _, p := range paths {
		if p != "" {
			p += "/"
		}
		for _, f := range []string{"rss", "atom", "json"} {
			out = append(out, "https://news.example.com/"+p+"feed."+f)
		}
	}
	slices.Sort(out)
	return out
}

func TestWebSub(t *testing.T) {
	hub := newTestHub(t)
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			flags := []string{"-websub.hubs", hub.URL + "/hub", "-websub.delay", "0s"}
			if store == "postgres" {
				flags = append(flags, "-database-url", pgtest.NewDatabase(t))
			}
			s := startHerald(t, "", flags...)
			testWebSub(t, s, hub)
		})
	}
}

func testWebSub(t *testing.T, s *testServer, hub *testHub) {
	// Discovery: the subscription documents name the hub; a history page
	// or another size of the feed, which no notification covers, does not.
	for path, want := range map[string]string{
		"/feed.rss":  `<atom:link href="` + hub.URL + `/hub" rel="hub"`,
		"/feed.atom": `<link href="` + hub.URL + `/hub" rel="hub"`,
		"/feed.json": `"hubs":[{"type":"WebSub","url":"` + hub.URL + `/hub"}]`,
	} {
		r := s.get(t, path)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), want) {
			t.Errorf("GET %s: %d, want 200 with %s in\n%s", path, r.Status, want, r.Body)
		}
	}
	if r := s.get(t, "/feed.atom?limit=5"); strings.Contains(string(r.Body), `rel="hub"`) || r.Header.Get("Link") != "" {
		t.Errorf("/feed.atom?limit=5 names a hub (Link %q); only the topics do", r.Header.Get("Link"))
	}
	// And in a Link header, which WebSub subscribers read first (for a
	// JSON Feed, the only discovery WebSub itself defines).
	wantLink := `<` + hub.URL + `/hub>; rel="hub", <https://news.example.com/feed.json>; rel="self"`
	if got := s.get(t, "/feed.json").Header.Get("Link"); got != wantLink {
		t.Errorf("/feed.json Link %q, want %q", got, wantLink)
	}

	// A published article: every feed it is in, in every format, once the
	// feed shows it. (Written in a later second than the server started
	// in, so that the watch of due articles, which must leave it to the
	// write, sees it among the articles published since it last looked.)
	afterThisSecond()
	a := s.create(t, map[string]any{"title": "Hubs hear first", "content_html": "<p>x</p>",
		"categories": []string{"Go"}, "tags": []string{"push"}, "authors": []map[string]any{{"name": "Ada"}}})
	got, _ := hub.take(t, 12)
	if want := topicsOf("", "categories/go", "tags/push", "authors/ada"); !slices.Equal(got, want) {
		t.Errorf("notifications %q, want %q", got, want)
	}
	if r := s.get(t, "/categories/go/feed.atom"); !strings.Contains(string(r.Body), "Hubs hear first") {
		t.Errorf("the notified feed does not show the article:\n%s", r.Body)
	}
	if r := s.get(t, "/categories/go/feed.atom?page=1"); strings.Contains(string(r.Body), `rel="hub"`) {
		t.Errorf("a history page names a hub")
	}

	// An edit that moves the article to another category changes the
	// feeds it was in and those it is in now.
	if r := s.api(t, http.MethodPatch, "/api/v1/articles/"+a["id"].(string), map[string]any{"categories": []string{"Rust"}}); r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	got, _ = hub.take(t, 15)
	if want := topicsOf("", "categories/go", "categories/rust", "tags/push", "authors/ada"); !slices.Equal(got, want) {
		t.Errorf("notifications after the edit %q, want %q", got, want)
	}

	// A scheduled article changes nothing readers see until it is due:
	// its notification comes then, from the watch of due articles.
	due := time.Now().Truncate(time.Second).Add(2 * time.Second)
	s.create(t, map[string]any{"title": "Later", "content_html": "<p>y</p>", "tags": []string{"later"},
		"published_at": due.UTC().Format(time.RFC3339)})
	got, pings := hub.take(t, 6)
	if want := topicsOf("", "tags/later"); !slices.Equal(got, want) {
		t.Errorf("notifications when the article came due %q, want %q", got, want)
	}
	for _, p := range pings {
		if p.at.Before(due) {
			t.Errorf("%s notified at %s, before the article was due (%s)", p.topic, p.at.Format(time.RFC3339Nano), due.Format(time.RFC3339))
		}
	}
	if r := s.get(t, "/tags/later/feed.json"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "Later") {
		t.Errorf("after its notification the due article's feed is %d:\n%s", r.Status, r.Body)
	}

	// A deletion changes the feeds the article was in.
	if r := s.api(t, http.MethodDelete, "/api/v1/articles/"+a["id"].(string), nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	got, _ = hub.take(t, 12)
	if want := topicsOf("", "categories/rust", "tags/push", "authors/ada"); !slices.Equal(got, want) {
		t.Errorf("notifications after the delete %q, want %q", got, want)
	}
	hub.none(t, "the delete")
}

// TestWebSubImport: `herald import` tells the hubs of the feeds it changed
// before it exits, once per feed however many of its articles are in it,
// and a re-import that changes nothing tells them nothing.
func TestWebSubImport(t *testing.T) {
	hub := newTestHub(t)
	db := filepath.Join(t.TempDir(), "h.db")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.json"), `{"title": "One", "content_html": "<p>1</p>", "categories": ["Go"], "published_at": "2026-01-01T10:00:00Z"}`)
	writeFile(t, filepath.Join(dir, "b.json"), `{"title": "Two", "content_html": "<p>2</p>", "categories": ["Go"], "published_at": "2026-01-02T10:00:00Z"}`)
	args := []string{"import", "-database-url", "sqlite:" + db, "-base-url", "https://news.example.com",
		"-websub.hubs", hub.URL, "-websub.delay", "500ms", dir}
	if code, out, errOut := runCLI(t, nil, args...); code != 0 {
		t.Fatalf("import exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// The import is over in less than the delay: what the hub got was
	// sent by its stop, which waited the delay out.
	if got, _ := hub.take(t, 6); !slices.Equal(got, topicsOf("", "categories/go")) {
		t.Errorf("notifications %q, want %q", got, topicsOf("", "categories/go"))
	}
	hub.none(t, "the import")
	if code, out, _ := runCLI(t, nil, args...); code != 0 || !strings.Contains(out, "2 unchanged") {
		t.Fatalf("re-import: exit %d\n%s", code, out)
	}
	hub.none(t, "a re-import that changed nothing")
}
