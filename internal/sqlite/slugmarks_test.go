package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storetest"
)

// TestSlugMarksRewrite: the rewrite of migration 0007 on a database an
// older build filled, two processes opening it at once.
func TestSlugMarksRewrite(t *testing.T) {
	storetest.RunSlugUpgrade(t, func(t *testing.T, now func() time.Time) storetest.SlugUpgrade {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "herald.db")
		before, err := Open(ctx, path, Options{Now: now, SkipMigrate: true})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := before.migrateThrough(ctx, "0006_scope_counts"); err != nil {
			t.Fatalf("migrate through 0006: %v", err)
		}
		return storetest.SlugUpgrade{
			Before: before,
			Age:    func(id string) { ageSlugs(t, before, id) },
			Reopen: func() herald.Store {
				s, err := Open(ctx, path, Options{Now: now, ArticleCache: artcache.DefaultMaxArticles})
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
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range [][2]string{
			{"SELECT position, kind, name FROM article_terms WHERE article_id = ?", "UPDATE article_terms SET slug = ? WHERE article_id = ? AND position = ? AND kind = ?"},
			{"SELECT position, '', name FROM article_authors WHERE article_id = ?", "UPDATE article_authors SET slug = ? WHERE article_id = ? AND position = ? AND ? = ''"},
		} {
			type row struct {
				pos        int
				kind, name string
			}
			var list []row
			rows, err := tx.QueryContext(ctx, q[0], id)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.pos, &r.kind, &r.name); err != nil {
					return err
				}
				list = append(list, r)
			}
			rows.Close()
			for _, r := range list {
				if _, err := tx.ExecContext(ctx, q[1], herald.LegacyTitleSlug(r.name), id, r.pos, r.kind); err != nil {
					return err
				}
			}
		}
		rows, err := tx.QueryContext(ctx, "SELECT scope_key, name FROM article_scopes WHERE article_id = ? AND scope_key <> 'site'", id)
		if err != nil {
			return err
		}
		var keys, names []string
		for rows.Next() {
			var k, n string
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			keys, names = append(keys, k), append(names, n)
		}
		rows.Close()
		for i, k := range keys {
			kind, _, _ := strings.Cut(k, ":")
			old := kind + ":" + herald.LegacyTitleSlug(names[i])
			if _, err := tx.ExecContext(ctx, "UPDATE article_scopes SET scope_key = ? WHERE article_id = ? AND scope_key = ?", old, id, k); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO scopes (key, revision, changed_at) SELECT ?, revision, changed_at FROM scopes WHERE key = ?
				ON CONFLICT (key) DO UPDATE SET revision = revision + 1, changed_at = max(changed_at, excluded.changed_at)`, old, k); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM scopes WHERE key <> 'site' AND key NOT IN (SELECT scope_key FROM article_scopes)"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM scope_counts WHERE articles = 0")
		return err
	})
	if err != nil {
		t.Fatalf("ageing the slugs of %s: %v", id, err)
	}
}
