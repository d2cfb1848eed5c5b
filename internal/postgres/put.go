package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

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
	updated := seconds(a.UpdatedAt)
	var old *herald.Article
	var w written
	err := s.write(ctx, func(tx pgx.Tx) error {
		var err error
		old, err = lockedArticle(ctx, tx, a.ID)
		switch {
		case herald.IsNotFound(err):
			old = nil
			if err := s.insertArticle(ctx, tx, a, updated); err != nil {
				return err
			}
			if err := s.bumpScopes(ctx, tx, a.ScopeKeys(), now, herald.ShowsChange(nil, a, now)); err != nil {
				return err
			}
			return s.readBack(ctx, tx, a.ID, &w)
		case err != nil:
			return err
		}
		// Delete and insert rather than update (the row is locked): the
		// child rows go by cascade, and the insert writes every column
		// insertArticle knows, so a column added later cannot be forgotten.
		if _, err := tx.Exec(ctx, "DELETE FROM articles WHERE id = $1", a.ID); err != nil {
			return err
		}
		if err := s.insertArticle(ctx, tx, a, updated); err != nil {
			return err
		}
		if err := s.bumpScopes(ctx, tx, append(old.ScopeKeys(), a.ScopeKeys()...), now, herald.ShowsChange(old, a, now)); err != nil {
			return err
		}
		return s.readBack(ctx, tx, a.ID, &w)
	})
	if err != nil {
		if c := conflict(err, a); c != nil {
			return nil, c
		}
		return nil, storeError("put article", err)
	}
	s.keep(w)
	return old, nil
}
