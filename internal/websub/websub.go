// Package websub tells WebSub hubs that feeds changed (the publisher's
// side of W3C WebSub): for each hub and topic, a form POST of
// hub.mode=publish and hub.url=<topic>, the notification the common hubs
// take (WebSub leaves its form to the hub; this is PubSubHubbub's). The hub
// then fetches the topic and pushes it to its subscribers, who need not
// poll.
//
// Notifications are sent in the background and never hold a write back.
// One waits Delay first: notifications of a topic asked for meanwhile are
// sent as one, and every replica has dropped its copy of the feed by then.
// A failed one (network error, 5xx, 408 or 429) is tried again with
// growing pauses; a hub that refuses the request (another 4xx, or a
// redirect, which would turn the POST into a GET) is not asked again for
// it. Each hub has its own bound on requests under way and on
// notifications waiting (Options.Concurrency, Options.MaxPending), so a
// hub that hangs or is down delays and drops only its own; past the bound
// a notification is dropped and counted.
package websub

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-feeds/herald/internal/logthrottle"
)

// Options configure a Publisher. Hubs is required; the rest have defaults.
type Options struct {
	Hubs []string
	// Delay is how long a notification waits before it is sent.
	Delay time.Duration
	// Timeout bounds one request to a hub (default 10 s).
	Timeout time.Duration
	// Backoff is the pause before the first retry (default 5 s); each
	// further one doubles it, up to 5 minutes.
	Backoff time.Duration
	// Attempts is how often one notification is tried before it is given
	// up (default 8: about 10 minutes of retries at the default backoff).
	Attempts int
	// MaxPending bounds the notifications waiting for one hub (default
	// 10,000).
	MaxPending int
	// Concurrency bounds the requests under way to one hub (default 4).
	Concurrency int
	// UserAgent is sent with every request.
	UserAgent string
	// Client sends the requests; by default one that does not follow
	// redirects (a redirected POST would arrive as a GET).
	Client *http.Client
	Logger *slog.Logger
}

// Stats count what became of notifications.
type Stats struct {
	Sent    atomic.Int64 // accepted by the hub (2xx)
	Retried atomic.Int64 // failed attempts that will be tried again
	// Failed counts notifications given up: refused by the hub, out of
	// attempts, or still unsent when Close ran out of time.
	Failed  atomic.Int64
	Dropped atomic.Int64 // not queued: MaxPending were waiting for the hub
}

type key struct{ hub, topic string }

// job is one notification of one hub about one topic.
type job struct {
	key
	attempt int       // failed attempts so far
	ready   time.Time // when its delay ends: the earliest it may be sent
	due     time.Time // when it may be sent: ready, or later after a failure
	sending bool
	// again: the topic changed while the notification was under way, so
	// one more is due once it ends (the hub may have fetched the topic
	// before the change).
	again bool
}

// hub is what a Publisher keeps per hub.
type hub struct {
	slots   chan struct{} // requests under way
	pending int           // its jobs
}

// Publisher sends notifications to the configured hubs.
type Publisher struct {
	o     Options
	stats Stats

	mu      sync.Mutex
	jobs    map[key]*job
	hubs    map[string]*hub
	closing bool
	idle    chan struct{} // closed and replaced when jobs becomes empty

	// ctx bounds every request; Close cancels it once its own time is up.
	ctx    context.Context
	cancel context.CancelFunc

	wake    chan struct{}
	stop    chan struct{}
	stopOne sync.Once
	stopped chan struct{}
	closed  chan struct{} // closed when the first Close has finished
	sends   sync.WaitGroup

	// dropLog and failLog report dropped and given-up notifications, a
	// line a minute at most (the metrics count every one).
	dropLog, failLog *logthrottle.Throttle
}

// New starts a Publisher; Close stops it.
func New(o Options) *Publisher {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = 5 * time.Second
	}
	if o.Attempts <= 0 {
		o.Attempts = 8
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 10000
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Client == nil {
		o.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Hubs = slices.Compact(slices.Clone(o.Hubs))
	p := &Publisher{o: o, jobs: map[key]*job{}, hubs: map[string]*hub{}, idle: make(chan struct{}),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{}), closed: make(chan struct{}),
		dropLog: logthrottle.New(time.Minute), failLog: logthrottle.New(time.Minute)}
	for _, h := range o.Hubs {
		p.hubs[h] = &hub{slots: make(chan struct{}, o.Concurrency)}
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	close(p.idle) // nothing waits yet
	go p.run()
	return p
}

// Stats returns the live counters.
func (p *Publisher) Stats() *Stats { return &p.stats }

// Pending is the number of notifications waiting or under way.
func (p *Publisher) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.jobs)
}

// Publish queues a notification of every hub about each topic. It never
// blocks on a hub.
func (p *Publisher) Publish(topics []string) {
	if len(topics) == 0 {
		return
	}
	now := time.Now()
	dropped := 0
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		return // nothing would send it
	}
	for _, t := range topics {
		for _, h := range p.o.Hubs {
			k := key{h, t}
			if j, ok := p.jobs[k]; ok {
				// Already waiting: it is sent after this change anyway. Under
				// way: the hub may fetch the topic before the change.
				if j.sending {
					j.again = true
				}
				continue
			}
			st := p.hubs[h]
			if st.pending >= p.o.MaxPending {
				dropped++
				continue
			}
			if len(p.jobs) == 0 {
				p.idle = make(chan struct{})
			}
			st.pending++
			ready := now.Add(p.o.Delay)
			p.jobs[k] = &job{key: k, ready: ready, due: ready}
		}
	}
	p.mu.Unlock()
	if dropped > 0 {
		p.stats.Dropped.Add(int64(dropped))
		// A hub that is down fills its queue for as long as it is.
		p.dropLog.Warn(p.o.Logger, now, "websub: too many notifications are waiting for a hub; dropping new ones (subscribers of those feeds hear of the change with the next one, or poll)",
			"dropped", dropped, "max_pending", p.o.MaxPending)
	}
	p.poke()
}

func (p *Publisher) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run starts each notification when it is due, as its hub's slots allow.
func (p *Publisher) run() {
	defer close(p.stopped)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := p.startDue()
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), 0)
		}
		timer.Reset(wait)
		select {
		case <-p.stop:
			return
		case <-p.wake:
		case <-timer.C:
		}
	}
}

// startDue starts the notifications that are due, the longest due first,
// each as its hub has a free slot, and returns when the next waiting one
// is due (zero for none). A job left waiting for a slot is started when a
// send of its hub ends and wakes run.
func (p *Publisher) startDue() time.Time {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	free := false
	for _, h := range p.hubs {
		free = free || len(h.slots) < cap(h.slots)
	}
	if !free {
		return time.Time{} // a send that ends frees a slot and wakes run
	}
	var next time.Time
	var due []*job
	for _, j := range p.jobs {
		switch {
		case j.sending:
		case j.due.After(now):
			if next.IsZero() || j.due.Before(next) {
				next = j.due
			}
		default:
			due = append(due, j)
		}
	}
	slices.SortFunc(due, func(a, b *job) int { return a.due.Compare(b.due) })
	for _, j := range due {
		select {
		case p.hubs[j.hub].slots <- struct{}{}:
		default:
			continue // its hub is busy
		}
		j.sending, j.again = true, false // a change from now on needs another
		p.sends.Add(1)
		go p.send(j.key, j.attempt)
	}
	return next
}

// send makes one attempt of the notification k and records its outcome.
func (p *Publisher) send(k key, attempt int) {
	defer p.sends.Done()
	final, err := p.post(k)
	<-p.hubs[k.hub].slots
	now := time.Now()
	p.mu.Lock()
	j := p.jobs[k]
	j.sending = false
	switch {
	case err == nil:
		p.stats.Sent.Add(1)
		if j.again {
			// Sent again after its own delay, on a stop too: the change
			// came while the hub was being told of the one before.
			j.again, j.attempt = false, 0
			j.ready = now.Add(p.o.Delay)
			j.due = j.ready
		} else {
			p.remove(k)
		}
	case final || attempt+1 >= p.o.Attempts || p.closing:
		p.stats.Failed.Add(1)
		p.failLog.Warn(p.o.Logger, now, "websub: hub notification failed; giving up (its subscribers hear of this feed's change with its next one, or poll)",
			"hub", k.hub, "topic", k.topic, "attempts", attempt+1, "err", err)
		p.remove(k)
	default:
		p.stats.Retried.Add(1)
		p.o.Logger.Debug("websub: hub notification failed; trying again", "hub", k.hub, "topic", k.topic, "attempt", attempt+1, "err", err)
		j.attempt = attempt + 1
		j.due = now.Add(p.backoff(j.attempt))
	}
	p.mu.Unlock()
	p.poke()
}

// remove forgets k; p.mu is held.
func (p *Publisher) remove(k key) {
	delete(p.jobs, k)
	p.hubs[k.hub].pending--
	if len(p.jobs) == 0 {
		close(p.idle)
	}
}

// backoff is the pause after the n-th failed attempt.
func (p *Publisher) backoff(n int) time.Duration {
	d := p.o.Backoff
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// post sends the notification k. final reports a refusal that another
// attempt would not change.
func (p *Publisher) post(k key) (final bool, err error) {
	ctx, cancel := context.WithTimeout(p.ctx, p.o.Timeout)
	defer cancel()
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {k.topic}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.hub, strings.NewReader(form.Encode()))
	if err != nil {
		return true, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p.o.UserAgent != "" {
		req.Header.Set("User-Agent", p.o.UserAgent)
	}
	resp, err := p.o.Client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	// Read a little of the answer, so that the connection can be reused,
	// and to name the hub's reason in the log.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return false, nil
	case c >= 300 && c < 400:
		// Followed, the POST would arrive as a GET (or not at all): the
		// configured URL is not the hub's.
		return true, fmt.Errorf("hub answered %s to %s; set websub.hubs to the address it names", resp.Status, cmp.Or(resp.Header.Get("Location"), "(no Location)"))
	case c >= 500 || c == http.StatusRequestTimeout || c == http.StatusTooManyRequests:
		return false, fmt.Errorf("hub answered %s: %q", resp.Status, strings.TrimSpace(string(body)))
	default:
		return true, fmt.Errorf("hub answered %s: %q", resp.Status, strings.TrimSpace(string(body)))
	}
}

// Close sends every notification still waiting, once, when its delay is
// over (not waiting out a retry's pause), until ctx ends; then it stops
// the requests still under way and counts what is left unsent as failed.
// A later Close waits for the first to finish, or for its own ctx.
func (p *Publisher) Close(ctx context.Context) {
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		select { // the first Close's work, or this one's time
		case <-p.closed:
		case <-ctx.Done():
		}
		return
	}
	p.closing = true
	for _, j := range p.jobs {
		if !j.sending {
			j.due = j.ready
		}
	}
	idle := p.idle
	p.mu.Unlock()
	p.poke()
	select {
	case <-idle:
	case <-ctx.Done():
	}
	p.stopOne.Do(func() { close(p.stop) })
	<-p.stopped // nothing starts a request any more
	p.cancel()  // those under way end now, as failures
	p.sends.Wait()
	p.mu.Lock()
	unsent := len(p.jobs)
	p.mu.Unlock()
	if unsent > 0 {
		p.stats.Failed.Add(int64(unsent))
		p.o.Logger.Warn("websub: stopping with hub notifications unsent; those feeds' subscribers hear of their changes with the next ones, or poll", "unsent", unsent)
	}
	p.dropLog.Flush(p.o.Logger, slog.LevelWarn, "websub: lines of dropped notifications held back since the last one")
	p.failLog.Flush(p.o.Logger, slog.LevelWarn, "websub: lines of given-up notifications held back since the last one")
	close(p.closed)
}
