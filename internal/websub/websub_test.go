package websub

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// hubServer is an HTTP server that records the publish notifications it gets
// and answers each with the next status of its script (then 204).
type hubServer struct {
	*httptest.Server
	mu     sync.Mutex
	script []int
	got    []string // hub.url of every request, in order
	at     []time.Time
	bad    []string // requests that were not a well-formed publish
	seen   chan string
}

func newHub(t *testing.T, script ...int) *hubServer {
	h := &hubServer{script: script, seen: make(chan string, 100)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := r.ParseForm()
		h.mu.Lock()
		if r.Method != http.MethodPost || err != nil || r.PostForm.Get("hub.mode") != "publish" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.Header.Get("User-Agent") != "Herald/test" {
			h.bad = append(h.bad, r.Method+" "+r.Header.Get("Content-Type")+" "+r.PostForm.Encode())
		}
		topic := r.PostForm.Get("hub.url")
		h.got = append(h.got, topic)
		h.at = append(h.at, time.Now())
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
func (h *hubServer) next(t *testing.T) string {
	t.Helper()
	select {
	case topic := <-h.seen:
		return topic
	case <-time.After(10 * time.Second):
		t.Fatal("the hub got no notification within 10 s")
		return ""
	}
}

// firstAt is when the first request came.
func (h *hubServer) firstAt() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.at) == 0 {
		return time.Time{}
	}
	return h.at[0]
}

func (h *hubServer) requests() (got, bad []string) {
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
	for name, h := range map[string]*hubServer{"a": a, "b": b} {
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
// waits is sent once, and not before its delay is over, even by Close.
func TestPublishCoalesces(t *testing.T) {
	h := newHub(t)
	const delay = 300 * time.Millisecond
	p := publisher(t, Options{Hubs: []string{h.URL}, Delay: delay})
	start := time.Now()
	for range 5 {
		p.Publish([]string{"https://news.example.com/feed.rss"})
	}
	if n := p.Pending(); n != 1 {
		t.Fatalf("pending = %d after five publications of one topic, want 1", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.Close(ctx)
	if got, _ := h.requests(); len(got) != 1 {
		t.Errorf("hub got %d notifications, want 1: %q", len(got), got)
	}
	// Other replicas may serve the old feed until the delay is over: the
	// stop must not tell the hub sooner.
	if at := h.firstAt(); at.Sub(start) < delay {
		t.Errorf("sent %s after the publication, before its delay (%s) was over", at.Sub(start), delay)
	}
	if p.Stats().Sent.Load() != 1 {
		t.Errorf("sent = %d, want 1", p.Stats().Sent.Load())
	}
}

// TestCloseSkipsTheBackoff: a notification waiting to be retried is tried
// once more by Close at once, not after its pause.
func TestCloseSkipsTheBackoff(t *testing.T) {
	h := newHub(t, http.StatusServiceUnavailable)
	p := publisher(t, Options{Hubs: []string{h.URL}, Backoff: time.Hour})
	p.Publish([]string{"https://news.example.com/feed.rss"})
	h.next(t) // the 503
	for deadline := time.Now().Add(10 * time.Second); p.Stats().Retried.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the 503 was not recorded as a failure to retry within 10 s")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.Close(ctx)
	if got, _ := h.requests(); len(got) != 2 {
		t.Errorf("hub got %d requests, want 2 (the failure, then Close's)", len(got))
	}
	if s := p.Stats(); s.Sent.Load() != 1 || s.Failed.Load() != 0 {
		t.Errorf("sent %d failed %d, want 1 and 0", s.Sent.Load(), s.Failed.Load())
	}
}

// TestHungHubHoldsOnlyItself: a hub that never answers takes its own
// slots and queue, not the other hubs'.
func TestHungHubHoldsOnlyItself(t *testing.T) {
	hung := hungHub(t)
	good := newHub(t)
	p := New(Options{Hubs: []string{hung.URL, good.URL}, Timeout: time.Hour, Concurrency: 1, MaxPending: 3})
	var topics []string
	for i := range 3 {
		topics = append(topics, fmt.Sprintf("https://news.example.com/%d/feed.rss", i))
	}
	p.Publish(topics)
	for range topics {
		good.next(t)
	}
	// The hung hub's queue is full (3: one under way, two waiting); the
	// good hub's is empty and takes a fourth topic.
	p.Publish([]string{"https://news.example.com/3/feed.rss"})
	if got := good.next(t); got != "https://news.example.com/3/feed.rss" {
		t.Errorf("good hub got %s", got)
	}
	if d := p.Stats().Dropped.Load(); d != 1 {
		t.Errorf("dropped = %d, want 1 (the hung hub's fourth)", d)
	}
	// The good hub's answers are counted once they reach the publisher.
	for deadline := time.Now().Add(10 * time.Second); p.Stats().Sent.Load() < 4; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("sent = %d after 10 s, want 4", p.Stats().Sent.Load())
		}
	}
	// Close cannot wait for the hung hub past its context: what is left
	// is counted as failed, and a second Close returns at once.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	p.Close(ctx)
	if s := p.Stats(); s.Failed.Load() != 3 || s.Sent.Load() != 4 {
		t.Errorf("after Close: failed %d sent %d, want 3 and 4", s.Failed.Load(), s.Sent.Load())
	}
	p.Close(context.Background())
}

// TestRedirectIsARefusal: a hub URL that redirects is not followed (the
// POST would arrive as a GET) and counts as a refusal.
func TestRedirectIsARefusal(t *testing.T) {
	var methods []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		methods = append(methods, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	p := publisher(t, Options{Hubs: []string{srv.URL + "/old"}, Backoff: time.Millisecond})
	p.Publish([]string{"https://news.example.com/feed.rss"})
	waitIdle(t, p)
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(methods, []string{"POST /old"}) {
		t.Errorf("requests %q, want only POST /old", methods)
	}
	if s := p.Stats(); s.Failed.Load() != 1 || s.Sent.Load() != 0 {
		t.Errorf("failed %d sent %d, want 1 and 0", s.Failed.Load(), s.Sent.Load())
	}
}

// TestPublishRetriesFailures: a 503, a 429 and a refused connection are
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
	// Stopped before their delay ends, the two are counted as failed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	p.Close(ctx)
	if f := p.Stats().Failed.Load(); f != 2 {
		t.Errorf("failed = %d after a Close that ran out of time, want 2", f)
	}
}

// TestSecondCloseKeepsItsOwnTime: a Close made while the first still
// waits for a hub returns when its own context ends, not the first's.
func TestSecondCloseKeepsItsOwnTime(t *testing.T) {
	hung := hungHub(t)
	p := New(Options{Hubs: []string{hung.URL}, Timeout: time.Hour})
	p.Publish([]string{"https://news.example.com/feed.rss"})
	first := make(chan struct{})
	firstCtx, cancelFirst := context.WithCancel(context.Background())
	go func() { p.Close(firstCtx); close(first) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		p.mu.Lock()
		closing := p.closing
		p.mu.Unlock()
		if closing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first Close did not start within 10 s")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Close(ctx) // its context is over: it must not wait for the first
	select {
	case <-first:
		t.Error("the first Close ended before the second returned; the test proves nothing")
	default:
	}
	cancelFirst()
	<-first
	p.Close(context.Background()) // after the first: at once
	if f := p.Stats().Failed.Load(); f != 1 {
		t.Errorf("failed = %d, want 1 (the hung hub's notification)", f)
	}
}

// hungHub is a hub that answers nothing until its request is given up or
// the test ends.
func hungHub(t *testing.T) *httptest.Server {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); hung.Close() })
	return hung
}
