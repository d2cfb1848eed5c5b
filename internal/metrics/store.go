package metrics

import (
	"context"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// Store times every call to s and counts the failures that are the
// store's, not the request's.
func (m *Metrics) Store(s herald.Store) herald.Store {
	// Every operation's error series exists from the start, at zero, so
	// that rates and alerts work before the first failure.
	for _, op := range []string{"create_article", "replace_article", "delete_article", "article", "article_by_slug", "list_articles", "feed", "ping"} {
		m.storeErrors.WithLabelValues(op)
	}
	return &store{s, m}
}

type store struct {
	herald.Store
	m *Metrics
}

// Unwrap returns the measured store.
func (s *store) Unwrap() herald.Store { return s.Store }

func (s *store) done(op string, start time.Time, err error) {
	s.m.storeDuration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	switch herald.ErrorCode(err) {
	case "", herald.ENotFound, herald.EConflict, herald.EInvalid, herald.EBadRequest:
	default:
		s.m.storeErrors.WithLabelValues(op).Inc()
	}
}

func (s *store) CreateArticle(ctx context.Context, a *herald.Article) error {
	start := time.Now()
	err := s.Store.CreateArticle(ctx, a)
	s.done("create_article", start, err)
	return err
}

func (s *store) ReplaceArticle(ctx context.Context, a *herald.Article) (*herald.Article, error) {
	start := time.Now()
	old, err := s.Store.ReplaceArticle(ctx, a)
	s.done("replace_article", start, err)
	return old, err
}

func (s *store) DeleteArticle(ctx context.Context, id string) (*herald.Article, error) {
	start := time.Now()
	old, err := s.Store.DeleteArticle(ctx, id)
	s.done("delete_article", start, err)
	return old, err
}

func (s *store) Article(ctx context.Context, id string) (*herald.Article, error) {
	start := time.Now()
	a, err := s.Store.Article(ctx, id)
	s.done("article", start, err)
	return a, err
}

func (s *store) ArticleBySlug(ctx context.Context, slug string) (*herald.Article, error) {
	start := time.Now()
	a, err := s.Store.ArticleBySlug(ctx, slug)
	s.done("article_by_slug", start, err)
	return a, err
}

func (s *store) ListArticles(ctx context.Context, offset, limit int) ([]*herald.Article, int, error) {
	start := time.Now()
	list, total, err := s.Store.ListArticles(ctx, offset, limit)
	s.done("list_articles", start, err)
	return list, total, err
}

func (s *store) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	start := time.Now()
	p, err := s.Store.Feed(ctx, q)
	s.done("feed", start, err)
	return p, err
}

func (s *store) Ping(ctx context.Context) error {
	start := time.Now()
	err := s.Store.Ping(ctx)
	s.done("ping", start, err)
	return err
}
