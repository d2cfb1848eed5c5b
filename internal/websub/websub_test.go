package websub

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// hub is an HTTP server that records the publish notifications it gets
// and answers each with the next status of its script (then 204).
type hub struct {
	*httptest.Server
	mu     sync.Mutex
	script []int
	got    []string // hub.url of every request, in order
	bad    []string // requests that were not a well-formed publish
	seen   chan string
}

func newHub(t *testing.T, script ...int) *hub {
	h := &hub{script: script, seen: make(chan string, 100)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := r.ParseForm()
		h.mu.Lock()
		if r.Method != http.MethodPost || err != nil || r.PostForm.Get("hub.mode") != "publish" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.Header.Get("User-Agent") != "Herald/test" {
			h.bad = append(h.bad, r.Method+" "+r.Header.Get("Content-Type")+" "+r.PostForm.Encode())
		}
		topic := r.PostForm.Get("hub.url")
		h.got = append(h.got, topic)
		status := http.StatusNoContent
		if len(h.script) > 0 {
			status, h.script = h.script[0], h.script[1:]
		}
		h.mu.Unlock()
		w.WriteHeader(status)
		h.seen <- topic
	}))
	t.Cleanup(h.Close)
	return h
}

// next waits for the hub's next request and returns its topic.
func (h *hub) next(t *testing.T) string {
	t.Helper()
	select {
	case topic := <-h.seen:
		return topic
	case <-time.After(10 * time.Second):
		t.Fatal("the hub got no notification within 10 s")
		return ""
	}
}

func (h *hub) requests() (got, bad []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got), slices.Clone(h.bad)
}

func publisher(t *testing.T, o Options) *Publisher {
	o.UserAgent = "Herald/test"
	p := New(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.Close(ctx)
	})
	return p
}

// waitIdle waits until nothing is pending.
func waitIdle(t *testing.T, p *Publisher) {
	t.Helper()
	p.mu.Lock()
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d notifications still pending after 10 s", p.Pending())
	}
}

func TestPublishNotifiesEveryHubOfEveryTopic(t *testing.T) {
	a, b := newHub(t), newHub(t)
	p := publisher(t, Options{Hubs: []string{a.URL, b.URL}})
	topics := []string{"https://news.example.com/feed.rss", "https://news.example.com/feed.atom?x=1&y=2"}
	p.Publish(topics)
	waitIdle(t, p)
	for name, h := range map[string]*hub{"a": a, "b": b} {
		got, bad := h.requests()
		slices.Sort(got)
		if want := slices.Sorted(slices.Values(topics)); !slices.Equal(got, want) {
			t.Errorf("hub %s got %q, want %q", name, got, want)
		}
		if len(bad) > 0 {
			t.Errorf("hub %s got malformed requests: %q", name, bad)
		}
	}
	if s := p.Stats(); s.Sent.Load() != 4 || s.Failed.Load() != 0 || s.Retried.Load() != 0 {
		t.Errorf("stats sent %d failed %d retried %d, want 4, 0, 0", s.Sent.Load(), s.Failed.Load(), s.Retried.Load())
	}
}

// TestPublishCoalesces: a topic asked for again while its notification
// waits is sent once.
func TestPublishCoalesces(t *testing.T) {
	h := newHub(t)
	p := publisher(t, Options{Hubs: []string{h.URL}, Delay: time.Hour})
	for range 5 {
		p.Publish([]string{"https://news.example.com/feed.rss"})
	}
	if n := p.Pending(); n != 1 {
		t.Fatalf("pending = %d after five publications of one topic, want 1", n)
	}
	// Close sends what waits at once, whatever its delay.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.Close(ctx)
	if got, _ := h.requests(); len(got) != 1 {
		t.Errorf("hub got %d notifications, want 1: %q", len(got), got)
	}
}

// TestPublishRetriesFailures: a 503, a 429 and a dropped connection are
// tried again; a 400 is not.
func TestPublishRetriesFailures(t *testing.T) {
	h := newHub(t, http.StatusServiceUnavailable, http.StatusTooManyRequests)
	p := publisher(t, Options{Hubs: []string{h.URL}, Backoff: time.Millisecond})
	p.Publish([]string{"https://news.example.com/feed.rss"})
	waitIdle(t, p)
	if got, _ := h.requests(); len(got) != 3 {
		t.Errorf("hub got %d requests, want 3 (two failures, then success)", len(got))
	}
	if s := p.Stats(); s.Sent.Load() != 1 || s.Retried.Load() != 2 || s.Failed.Load() != 0 {
		t.Errorf("stats sent %d retried %d failed %d, want 1, 2, 0", s.Sent.Load(), s.Retried.Load(), s.Failed.Load())
	}

	refusing := newHub(t, http.StatusBadRequest)
	q := publisher(t, Options{Hubs: []string{refusing.URL}, Backoff: time.Millisecond})
	q.Publish([]string{"https://news.example.com/feed.rss"})
	waitIdle(t, q)
	if got, _ := refusing.requests(); len(got) != 1 {
		t.Errorf("a refusing hub got %d requests, want 1", len(got))
	}
	if s := q.Stats(); s.Failed.Load() != 1 || s.Sent.Load() != 0 {
		t.Errorf("stats failed %d sent %d, want 1, 0", s.Failed.Load(), s.Sent.Load())
	}

	// Nothing listens: every attempt fails, and the notification is given
	// up after Attempts.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	r := publisher(t, Options{Hubs: []string{gone.URL}, Backoff: time.Millisecond, Attempts: 3})
	r.Publish([]string{"https://news.example.com/feed.rss"})
	waitIdle(t, r)
	if s := r.Stats(); s.Retried.Load() != 2 || s.Failed.Load() != 1 {
		t.Errorf("unreachable hub: retried %d failed %d, want 2, 1", s.Retried.Load(), s.Failed.Load())
	}
}

// TestPublishDuringSend: a change while the hub is being told of the last
// one is told once more, after.
func TestPublishDuringSend(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 10)
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		arrived <- struct{}{}
		if first {
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	p := publisher(t, Options{Hubs: []string{srv.URL}})
	topic := []string{"https://news.example.com/feed.rss"}
	p.Publish(topic)
	<-arrived
	p.Publish(topic) // under way: owed once more
	close(release)
	waitIdle(t, p)
	mu.Lock()
	defer mu.Unlock()
	if n != 2 {
		t.Errorf("hub got %d notifications, want 2", n)
	}
}

func TestPublishBounded(t *testing.T) {
	h := newHub(t)
	p := publisher(t, Options{Hubs: []string{h.URL}, Delay: time.Hour, MaxPending: 2})
	p.Publish([]string{"https://a.example/1", "https://a.example/2", "https://a.example/3"})
	if n, d := p.Pending(), p.Stats().Dropped.Load(); n != 2 || d != 1 {
		t.Errorf("pending %d dropped %d, want 2 and 1", n, d)
	}
}
