package postgres

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/storetest"
)

// TestSlugMarksRewrite: the rewrite of migration 0008 on a database an
// older build filled, two replicas opening it at once.
func TestSlugMarksRewrite(t *testing.T) {
	storetest.RunSlugUpgrade(t, func(t *testing.T, now func() time.Time) storetest.SlugUpgrade {
		ctx := context.Background()
		dbURL := pgtest.NewDatabase(t)
		before, err := Open(ctx, dbURL, Options{Now: now, SkipMigrate: true})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := before.migrateThrough(ctx, "0007_scope_counts"); err != nil {
			t.Fatalf("migrate through 0007: %v", err)
		}
		var opened atomic.Int32
		return storetest.SlugUpgrade{
			Before: before,
			Age:    func(id string) { ageSlugs(t, before, id) },
			Reopen: func() herald.Store {
				at := dbURL
				if opened.Add(1)%2 == 1 {
					// A pool of one connection is enough: the rewrite
					// holds none between its transactions.
					at += "?pool_max_conns=1"
				}
				s, err := Open(ctx, at, Options{Now: now, ArticleCache: artcache.DefaultMaxArticles, FoldEvery: -1})
				if err != nil {
					t.Errorf("Open after the upgrade: %v", err)
				}
				return s
			},
		}
	})
}

// ageSlugs rewrites the rows of article id as a build that dropped
// combining marks from slugs wrote them (storetest.SlugUpgrade.Age).
func ageSlugs(t *testing.T, s *Store, id string) {
	t.Helper()
	ctx := context.Background()
	err := s.write(ctx, func(tx pgx.Tx) error {
		for _, q := range [][2]string{
			{"SELECT position, kind, name FROM article_terms WHERE article_id = $1", "UPDATE article_terms SET slug = $1 WHERE article_id = $2 AND position = $3 AND kind = $4"},
			{"SELECT position, '', name FROM article_authors WHERE article_id = $1", "UPDATE article_authors SET slug = $1 WHERE article_id = $2 AND position = $3 AND $4 = ''"},
		} {
			type row struct {
				pos        int
				kind, name string
			}
			rows, _ := tx.Query(ctx, q[0], id)
			list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
				var x row
				return x, r.Scan(&x.pos, &x.kind, &x.name)
			})
			if err != nil {
				return err
			}
			for _, r := range list {
				if _, err := tx.Exec(ctx, q[1], herald.LegacyTitleSlug(r.name), id, r.pos, r.kind); err != nil {
					return err
				}
			}
		}
		rows, _ := tx.Query(ctx, "SELECT scope_key, name FROM article_scopes WHERE article_id = $1 AND scope_key <> 'site'", id)
		keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
			var x [2]string
			return x, r.Scan(&x[0], &x[1])
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			kind, _, _ := strings.Cut(k[0], ":")
			old := kind + ":" + herald.LegacyTitleSlug(k[1])
			if _, err := tx.Exec(ctx, "UPDATE article_scopes SET scope_key = $1 WHERE article_id = $2 AND scope_key = $3", old, id, k[0]); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO scopes (key, revision, changed_at) SELECT $1, revision, changed_at FROM scopes WHERE key = $2
				ON CONFLICT (key) DO UPDATE SET revision = scopes.revision + 1, changed_at = greatest(scopes.changed_at, excluded.changed_at)`, old, k[0]); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "DELETE FROM scopes WHERE key <> 'site' AND key NOT IN (SELECT scope_key FROM article_scopes)")
		return err
	})
	if err != nil {
		t.Fatalf("ageing the slugs of %s: %v", id, err)
	}
}
