package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/herald-feeds/herald/internal/herald"
)

// PutArticle stores a exactly as given, its UpdatedAt included: it creates
// the article with a.ID, or overwrites it when it exists, and returns the
// version it replaced (nil when it created one). It is how `herald copy`
// moves articles between stores without changing them. The scopes of the
// old and the new version are bumped at the store's clock, like any other
// write, so the copied feeds' revisions and Last-Modified are current.
// A slug another article holds gives EConflict (field "slug").
func (s *Store) PutArticle(ctx context.Context, a *herald.Article) (*herald.Article, error) {
	now := s.clock()
	updated := a.UpdatedAt.UTC()
	var old *herald.Article
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		old, err = articleWhere(ctx, tx, "a.id = ?", a.ID)
		switch {
		case herald.IsNotFound(err):
			old = nil
			if err := s.insertArticle(ctx, tx, a, updated); err != nil {
				return err
			}
			return s.bumpScopes(ctx, tx, a.ScopeKeys(), now, herald.ShowsChange(nil, a, now))
		case err != nil:
			return err
		}
		// Delete and insert rather than update: the child rows go by
		// cascade, and the insert writes every column insertArticle knows,
		// so a column added later cannot be forgotten here.
		if _, err := tx.ExecContext(ctx, "DELETE FROM articles WHERE id = ?", a.ID); err != nil {
			return err
		}
		if err := s.insertArticle(ctx, tx, a, updated); err != nil {
			return err
		}
		return s.bumpScopes(ctx, tx, append(old.ScopeKeys(), a.ScopeKeys()...), now, herald.ShowsChange(old, a, now))
	})
	if err != nil {
		if c := conflict(err, a); c != nil {
			return nil, c
		}
		return nil, fmt.Errorf("sqlite: put article: %w", err)
	}
	return old, nil
}
