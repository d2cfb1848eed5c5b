package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/herald-feeds/herald/internal/artcache"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/herald-feeds/herald/config"
	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/encode"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/httpserver"
	"github.com/herald-feeds/herald/internal/importer"
	"github.com/herald-feeds/herald/internal/metrics"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/service"
	"github.com/herald-feeds/herald/internal/websub"
)

// Main is one Herald process, wired from configuration: tests start it on
// port 0 exactly as the binary does.
type Main struct {
	Config *config.Config
	Log    *slog.Logger

	Store    herald.Store
	Cache    herald.Cache
	Feeds    *service.Feeds
	Articles *service.Articles
	Server   *httpserver.Server
	Metrics  *metrics.Metrics
	// Breaker guards the Redis cache; nil with the in-process cache.
	Breaker *cache.Breaker

	articleCache *artcache.Cache // the store's, nil when off
	packer       herald.Packer   // the store's
	rowReads     func() uint64   // the store's ArticleRowReads, nil without
	renderer     *render.Renderer
	redis        *cache.Redis // the shared cache, nil without Redis
	// websub notifies the WebSub hubs of changed feeds; nil without
	// websub.hubs. dueStop and dueDone stop its watch of scheduled
	// articles, dueWake wakes it after a write of one.
	websub  *websub.Publisher
	dueStop context.CancelFunc
	dueDone chan struct{}
	dueWake chan struct{}

	ln      net.Listener
	serving atomic.Bool // Serve was called: Shutdown closes ln

	// The start-up warming of the article cache (warm), stopped by Close.
	warmStop context.CancelFunc
	warmDone chan struct{}
	// watch brings other processes' writes to the in-process cache; nil
	// with Redis or cache.store_poll 0.
	watch *service.StoreWatch
	// serves is false for a command that writes but serves nothing
	// (import): without Redis its writes leave their invalidations on
	// record for the servers (service.ArticlesOptions.LeaveOnRecord).
	serves bool
}

// NewMain returns a process for cfg; nothing is opened yet.
func NewMain(cfg *config.Config, log *slog.Logger) *Main {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Main{Config: cfg, Log: log, serves: true}
}

// Open opens the store and the cache and builds the services and server.
// An unreachable Redis is logged, not fatal: feeds are rendered from the
// store until it answers.
func (m *Main) Open(ctx context.Context) error {
	cfg := m.Config
	shows, err := preflight(cfg)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, m.Log)
	if err != nil {
		return err
	}
	m.Metrics = metrics.New()
	m.Store = m.Metrics.Store(store)
	if s, ok := store.(interface{ ArticleCache() *artcache.Cache }); ok {
		m.articleCache = s.ArticleCache()
	}
	m.packer, _ = store.(herald.Packer)
	if s, ok := store.(interface{ ArticleRowReads() uint64 }); ok {
		m.rowReads = s.ArticleRowReads
	}

	site := service.Site{
		Title:        cfg.Site.Title,
		Description:  cfg.Site.Description,
		BaseURL:      strings.TrimRight(cfg.BaseURL, "/"),
		Language:     cfg.Site.Language,
		Author:       herald.Author{Name: cfg.Site.Author.Name, Email: cfg.Site.Author.Email},
		DefaultLimit: cfg.Feed.DefaultLimit,
		MaxLimit:     cfg.Feed.MaxLimit,
		CacheTTL:     cfg.Feed.CacheTTL,
		TTLMinutes:   cfg.Feed.TTLMinutes,
		Shows:        shows,
		Hubs:         cfg.WebSub.HubList(),
	}
	if cfg.Redis.Enabled() {
		rc, err := openRedisCache(cfg, redisUse{log: m.Log, watch: true, variant: renderingVariant(site)})
		if err != nil {
			return err
		}
		m.redis = rc
		// The breaker sits outside the measuring decorator, so the Redis
		// metrics count only calls that reached Redis.
		m.Breaker = cache.NewBreaker(m.Metrics.Cache(rc), cache.BreakerOptions{
			Failures: cfg.Redis.BreakerFailures, Cooldown: cfg.Redis.BreakerCooldown, OnStateChange: m.logBreaker})
		m.Cache = m.Breaker
		if err := rc.Ping(ctx); err != nil {
			m.Log.Warn("redis unreachable at start-up; until it answers, feeds are rendered from the store and invalidations wait on record in the database", "err", err)
		} else if p, err := rc.Persistence(ctx); err == nil && p != "" {
			// Restarted from a snapshot older than the last writes,
			// Redis would serve their feeds' old renderings again.
			m.Log.Warn("redis keeps its data on disk; restarted from an older snapshot it would serve feeds "+
				"from before the writes since, until a running Herald process notices (redis.check_interval) or, "+
				"when none had seen those writes, until feed.cache_ttl: run Herald's Redis without persistence "+
				"(save \"\", appendonly no)", "persistence", p)
		}
		if cfg.Redis.LocalCache {
			local := cache.NewMemory(cache.MemoryOptions{MaxEntries: cfg.Cache.MaxEntries})
			// Reads and writes of Redis still go through the breaker
			// and the metrics; only a local hit skips them.
			m.Cache = cache.NewTiered(local, rc, cache.TieredOptions{LocalTTL: cfg.Redis.LocalTTL, Logger: m.Log, Front: m.Breaker})
		}
	} else {
		m.Cache = cache.NewMemory(cache.MemoryOptions{MaxEntries: cfg.Cache.MaxEntries})
	}

	enc, err := encode.New()
	if err != nil {
		return err
	}
	m.renderer = render.NewWithOptions(render.Options{FragmentCacheBytes: itemCacheBytes(cfg.Cache.MaxItemBytes)})
	m.Feeds = service.NewFeeds(m.Store, m.Cache, m.Metrics.Renderer(m.renderer), site, service.FeedsOptions{Logger: m.Log, RenderTimeout: cfg.Server.RequestTimeout, Compress: enc.Variants,
		MaxStale: cfg.Feed.MaxStale, StaleEntries: cfg.Feed.StaleEntries, StaleBytes: staleBytes})
	aopts := service.ArticlesOptions{Logger: m.Log, Limits: articleLimits(cfg), LeaveOnRecord: !m.serves && m.redis == nil,
		OwnSlugs: httpserver.OwnSlugs(cfg.Metrics.Path)}
	if len(site.Hubs) > 0 {
		m.websub = websub.New(websub.Options{Hubs: site.Hubs, Delay: cfg.WebSub.Delay, Timeout: cfg.WebSub.Timeout,
			UserAgent: "Herald/" + version + " (+" + site.BaseURL + "/)", Logger: m.Log})
		m.dueWake = make(chan struct{}, 1)
		aopts.Changed = m.notifyHubs
		aopts.Scheduled = func() {
			select {
			case m.dueWake <- struct{}{}:
			default:
			}
		}
	}
	m.Articles = service.NewArticles(m.Store, m.Cache, site, aopts)
	m.exportCounters()
	hc, err := m.reliabilityConfig()
	if err != nil {
		return err
	}
	m.Server = httpserver.New(httpserver.Config{
		MaxBodyBytes:    int(cfg.API.MaxBodyBytes),
		FeedMaxAge:      cfg.Feed.MaxAge,
		ArchiveMaxAge:   cfg.Feed.ArchiveMaxAge,
		RequestTimeout:  cfg.Server.RequestTimeout,
		ReadTimeout:     cfg.Server.ReadTimeout,
		WriteTimeout:    cfg.Server.WriteTimeout,
		IdleTimeout:     cfg.Server.IdleTimeout,
		DefaultPageSize: cfg.API.DefaultPageSize,
		MaxPageSize:     cfg.API.MaxPageSize,

		Tokens:          hc.Tokens,
		APIRate:         hc.APIRate,
		APIBurst:        hc.APIBurst,
		MinPollInterval: hc.MinPollInterval,
		MaxHeaderBytes:  hc.MaxHeaderBytes,
		ProxyHeader:     hc.ProxyHeader,
		TrustedProxies:  hc.TrustedProxies,
		AccessLog:       hc.AccessLog,
		Observer:        hc.Observer,
		Metrics:         hc.Metrics,
		MetricsPath:     hc.MetricsPath,
		MetricsToken:    hc.MetricsToken,
		WriteBufferSize: cfg.Server.WriteBufferSize,
	}, m.Feeds, m.Articles, m.Store, m.Cache, m.Log)

	if dir := cfg.Import.OnEmptyStore; dir != "" {
		if err := m.importIfEmpty(ctx, dir); err != nil {
			return err
		}
	}
	return nil
}

// preflight checks the files the configuration names (tokens, shows,
// Redis TLS, the folder imported into an empty store) before Open creates
// or migrates anything, so a mistake there stops the start with the
// store untouched. It returns the shows it read, which Open uses.
func preflight(cfg *config.Config) (map[string]herald.Show, error) {
	if _, err := cfg.Tokens(); err != nil {
		return nil, err
	}
	shows, err := loadShows(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Redis.Enabled() {
		if _, err := cfg.Redis.TLSConfig(); err != nil {
			return nil, err
		}
	}
	if dir := cfg.Import.OnEmptyStore; dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("config: import.on_empty_store: %w", err)
		}
	}
	return shows, nil
}

func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (herald.Store, error) {
	return openStoreURL(ctx, cfg.DatabaseURL, storeOptions{articleCache: cfg.Cache.MaxArticles, articleCacheBytes: cfg.Cache.MaxArticleBytes, log: log})
}

// loadShows reads the podcast shows file, when one is configured, into
// the domain's show values by category slug.
func loadShows(cfg *config.Config) (map[string]herald.Show, error) {
	if cfg.Podcast.ShowsFile == "" {
		return nil, nil
	}
	shows, err := config.LoadShows(cfg.Podcast.ShowsFile, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	out := make(map[string]herald.Show, len(shows))
	for slug, s := range shows {
		out[slug] = herald.Show{
			Title: s.Title, Description: s.Description, ImageURL: s.Image,
			Category: s.Category, Subcategory: s.Subcategory, Explicit: s.Explicit,
			Author: s.Author, OwnerName: s.Owner.Name, OwnerEmail: s.Owner.Email,
			Type: s.Type, Language: s.Language, GUID: s.GUID, Locked: s.Locked,
			FundingURL: s.Funding.URL, FundingText: s.Funding.Text,
		}
	}
	return out, nil
}

// importIfEmpty seeds a new store so a first run shows real feeds.
func (m *Main) importIfEmpty(ctx context.Context, dir string) error {
	_, total, err := m.Store.ListArticles(ctx, 0, 1)
	if err != nil {
		return fmt.Errorf("check for an empty store: %w", err)
	}
	if total > 0 {
		return nil
	}
	m.Log.Info("store is empty; importing", "path", dir)
	sum, err := importer.Run(ctx, []string{dir}, m.Articles, io.Discard, importer.Options{ProgressEvery: -1})
	m.Log.Info("start-up import done", "summary", sum.String())
	if err != nil {
		return fmt.Errorf("import %s: %w", dir, err)
	}
	return nil
}

// notifyHubs tells the WebSub hubs that the feeds of scopes changed: each
// scope's subscription document in every format.
func (m *Main) notifyHubs(scopes []herald.Scope) {
	site := m.Feeds.Site()
	m.websub.Publish(site.Topics(scopes))
}

// Bind takes the configured address (":0" picks a free port) ahead of
// Open, so that an address in use stops `herald serve` before it creates,
// migrates or imports anything. Listen binds it itself when Bind did not.
func (m *Main) Bind() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln
	return nil
}

// Listen binds the configured address (":0" picks a free port) and starts
// warming the article cache (warm): only a process about to serve does,
// not `herald import`, which opens the same store.
func (m *Main) Listen() error {
	if m.ln == nil {
		if err := m.Bind(); err != nil {
			return err
		}
	}
	ln := m.ln
	if m.redis == nil && m.Config.Cache.StorePoll > 0 {
		// The in-process cache: only this process invalidates it, so the
		// writes of others sharing the database are found there.
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.Server.RequestTimeout)
		w, err := service.NewStoreWatch(ctx, m.Store, m.Cache, m.Config.Cache.StorePoll, m.Log)
		cancel()
		if err != nil {
			ln.Close()
			return fmt.Errorf("read the scopes' revisions: %w", err)
		}
		m.watch = w
		m.Articles.WatchWrites(w.Seen) // its own writes are in its cache already
		w.Start()
	}
	m.warm()
	m.Articles.Start() // invalidations an earlier process owed
	if m.websub != nil {
		// Articles that come due change their feeds with no write: the
		// hubs hear of them from this watch.
		ctx, cancel := context.WithCancel(context.Background())
		m.dueStop, m.dueDone = cancel, make(chan struct{})
		go func() {
			defer close(m.dueDone)
			m.Feeds.WatchDue(ctx, m.dueWake, m.notifyHubs)
		}()
	}
	return nil
}

// warm prepares, in the background as the server starts, what the first
// misses after a start (a deploy, a restart) would otherwise pay for. It
// renders the site feed of the newest feed.max_limit articles in every
// format, and each podcast show's RSS feed (Feeds.Prerender), which fills
// the store's article cache with those articles and the renderer with
// their encoded items: a first miss then neither reads them in full nor
// encodes them, which cost it about three times a warm miss
// (docs/PERFORMANCE.md). Then it packs the articles that lack a pack of
// their version (pack), and reads older articles into the article
// cache, newest first, while they fit without evicting any
// (Feeds.Preread), so that a category, tag or author feed reaching further
// back reads none of them in full either. Nothing is cached as a feed.
func (m *Main) warm() {
	if m.articleCache == nil && m.Config.Cache.MaxItemBytes == 0 || m.warmDone != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.warmStop, m.warmDone = cancel, make(chan struct{})
	go func() {
		defer close(m.warmDone)
		start := time.Now()
		n, err := m.Feeds.Prerender(ctx, m.Config.Feed.MaxLimit)
		m.pack(ctx)
		var older int
		if err == nil && n == m.Config.Feed.MaxLimit && m.articleCache != nil {
			older, err = m.Feeds.Preread(ctx, n, prereadPage, m.articleCache.Room)
		}
		switch {
		case ctx.Err() != nil: // closed meanwhile
		case err != nil:
			m.Log.Warn("warming the article and item caches failed; the first misses read and encode their articles in full", "err", err)
		default:
			m.Log.Info("article and item caches warmed", "articles", n, "older_articles", older,
				"duration", time.Since(start).Round(time.Microsecond))
		}
	}()
}

// pack stores the packs of the articles that lack one (herald.Packer), so
// that reading them when no process has them cached takes one row each
// instead of their rows and lists: the articles of a database written
// before packs existed, or last by an older build during a rolling
// upgrade. Only reads through the article cache take packs.
func (m *Main) pack(ctx context.Context) {
	if m.packer == nil || m.articleCache == nil || ctx.Err() != nil {
		return
	}
	start := time.Now()
	n, err := m.packer.PackArticles(ctx)
	switch {
	case ctx.Err() != nil: // closed meanwhile
	case err != nil:
		m.Log.Warn("packing articles failed; articles without a pack are read from their rows", "err", err, "packed", n)
	case n > 0:
		m.Log.Info("articles packed", "articles", n, "duration", time.Since(start).Round(time.Microsecond))
	}
}

// prereadPage is how many older articles warm reads per store query.
const prereadPage = 500

// Addr is the address the server listens on, once Listen has run.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Serve answers requests until Close.
func (m *Main) Serve() error {
	m.serving.Store(true)
	return m.Server.Serve(m.ln)
}

// Close stops the server (finishing requests in flight until ctx ends),
// then closes the cache and the store.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	switch {
	case m.Server != nil && m.serving.Load():
		switch err := m.Server.Shutdown(ctx); {
		case errors.Is(err, context.DeadlineExceeded):
			// What a grace period is for: a client that has not finished
			// its request by then (a stalled upload, a slow reader) is
			// cut off, and the stop goes on as planned.
			m.Log.Warn("shutdown grace over; connections still in a request are closed unfinished")
		case err != nil:
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	case m.ln != nil: // bound, never served
		m.ln.Close()
	}
	if m.warmStop != nil {
		m.warmStop()
		<-m.warmDone // it reads the store
	}
	if m.watch != nil {
		m.watch.Close() // it reads the store
	}
	if m.Feeds != nil {
		m.Feeds.Wait() // background Redis Puts and compressions still write to the cache
	}
	if m.dueStop != nil {
		m.dueStop()
		<-m.dueDone // it reads the store
	}
	if m.Articles != nil {
		m.Articles.Close() // retries of failed invalidations: one last attempt
	}
	if m.websub != nil {
		// What waits is sent once more, within the grace period: the
		// stop's, and for `herald import` (whose ctx has no end) a period
		// as long.
		wctx, cancel := context.WithTimeout(ctx, m.Config.Server.ShutdownGrace)
		m.websub.Close(wctx)
		cancel()
	}
	if m.Cache != nil {
		if err := m.Cache.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close cache: %w", err))
		}
	}
	if m.Store != nil {
		if err := m.Store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	return errors.Join(errs...)
}

// itemCacheBytes is the renderer's budget of kept items for
// cache.max_item_bytes, where 0 keeps none.
func itemCacheBytes(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
