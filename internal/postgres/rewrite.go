package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/herald"
)

// Data rewrites are migrations that SQL cannot express: a migration step
// inserts a row naming one into data_rewrites, and once every step is
// applied the store runs each row whose done_at is NULL with the function
// of that name and then sets done_at. They run after the schema is
// current because they write through the store's own write path, which
// knows only the current schema.
var dataRewrites = map[string]func(s *Store, ctx context.Context) (int, error){
	"slug_marks": (*Store).rewriteSlugMarks,
}

// rewriteBatch bounds the articles one rewrite transaction writes, so
// that the row locks it takes (its articles', and its scopes', which
// every writer of those scopes waits for) are held briefly however many
// articles need rewriting.
const rewriteBatch = 200

// runDataRewrites runs the data rewrites the database still owes. Each
// finds its work from the data and does it in transactions that take
// migrationLock, as every migration step does, and check again what they
// write: replicas opening at once each run the rewrite to its end before
// they serve, their batches taking turns, and none writes an article
// another has already put right (the only cost of the crowd is a search
// each). Nothing is held between transactions, so a connection pooler in
// transaction mode is no trouble. A rewrite interrupted (a crash, a
// cancelled context) is run again at the next open and takes up what is
// left.
func (s *Store) runDataRewrites(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, "SELECT name FROM data_rewrites WHERE done_at IS NULL ORDER BY name")
	if err != nil {
		return fmt.Errorf("postgres: data rewrites: %w", err)
	}
	owed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("postgres: data rewrites: %w", err)
	}
	for _, name := range owed {
		run := dataRewrites[name]
		if run == nil {
			return fmt.Errorf("postgres: the database owes data rewrite %q, which this build does not know; run a newer herald", name)
		}
		if _, err := run(s, ctx); err != nil {
			return fmt.Errorf("postgres: data rewrite %s: %w", name, err)
		}
		if _, err := s.pool.Exec(ctx, "UPDATE data_rewrites SET done_at = $1 WHERE name = $2 AND done_at IS NULL", s.clock(), name); err != nil {
			return fmt.Errorf("postgres: data rewrite %s: %w", name, err)
		}
	}
	return nil
}

// rewriteSlugMarks writes again every article that has a name (author,
// category, tag) whose stored slug is not herald.Slugify's: those an
// earlier build derived when Slugify dropped combining marks (migration
// 0008). It returns how many articles it wrote.
//
// It finds them from the distinct (name, slug) pairs of the lists, read
// in one pass with Slugify computed here, which leaves in memory only the
// names whose slug changed; then, table by table, it pages through the
// articles holding one of those names in id order, and writes each page
// in one transaction (rewriteArticles).
func (s *Store) rewriteSlugMarks(ctx context.Context) (int, error) {
	stale, err := s.staleNames(ctx)
	if err != nil || len(stale) == 0 {
		return 0, err
	}
	written := 0
	for _, table := range [...]string{"article_terms", "article_authors"} {
		query := `SELECT DISTINCT article_id FROM ` + table + `
			WHERE article_id > $1 AND name = ANY($2) ORDER BY article_id LIMIT $3`
		after := ""
		for {
			rows, err := s.pool.Query(ctx, query, after, stale, rewriteBatch)
			if err != nil {
				return written, err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return written, err
			}
			if len(ids) == 0 {
				break
			}
			n, err := s.rewriteArticles(ctx, ids)
			written += n
			if err != nil {
				return written, err
			}
			after = ids[len(ids)-1]
		}
	}
	return written, nil
}

// staleNames lists the names of authors, categories and tags that some
// article stores with another slug than herald.Slugify gives them now.
func (s *Store) staleNames(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, slug FROM article_terms
		UNION SELECT name, slug FROM article_authors`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	for rows.Next() {
		var name, slug string
		if err := rows.Scan(&name, &slug); err != nil {
			return nil, err
		}
		if herald.Slugify(name) != slug && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// rewriteArticles writes again, in one transaction, each article of ids
// whose stored slugs or scopes are not those its names give now, as
// PutArticle would write it back unchanged: its row locked, then deleted
// and inserted by insertArticle with every list (so its feed membership,
// the scopes' count changes, kept by triggers, and its pack follow), its
// UpdatedAt and permalink kept. The row gets a new version, as every
// write gives it. An article deleted since it was listed, or already
// right (written meanwhile by this build), is left alone. It returns how
// many it wrote.
//
// Every scope the article was in or is in now gets a new revision and an
// invalidation on record, so whichever server delivers the records first
// drops the cached feeds of both its old and its new scopes. Only the
// scopes it leaves or joins count as changed (changed_at, the feeds'
// Last-Modified); the others (the site, names whose slug stays) render the
// same items and keep their Last-Modified. The scopes are bumped once
// each, after the articles, in key order as every writer bumps them.
func (s *Store) rewriteArticles(ctx context.Context, ids []string) (written int, err error) {
	now := s.clock()
	err = s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
		written, err = s.rewriteIn(ctx, tx, ids, now)
		return err
	})
	return written, err
}

// rewriteIn is rewriteArticles' transaction.
func (s *Store) rewriteIn(ctx context.Context, tx pgx.Tx, ids []string, now time.Time) (written int, err error) {
	shown := map[string]bool{} // every key to bump -> whether readers see it change
	for _, id := range ids {
		a, err := lockedArticle(ctx, tx, id)
		if herald.IsNotFound(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		stored, stale, err := storedScopes(ctx, tx, id)
		if err != nil {
			return 0, err
		}
		fresh := a.ScopeKeys()
		if !stale && sameKeys(stored, fresh) {
			continue
		}
		if _, err := tx.Exec(ctx, "DELETE FROM articles WHERE id = $1", id); err != nil {
			return 0, err
		}
		if err := s.insertArticle(ctx, tx, a, seconds(a.UpdatedAt)); err != nil {
			return 0, err
		}
		visible := a.Visible(now)
		eachKey(stored, fresh, func(key string, was, is bool) {
			shown[key] = shown[key] || (was != is && visible)
		})
		written++
	}
	return written, s.bumpEach(ctx, tx, shown, now)
}

// bumpEach bumps each scope of shown once, in key order, as bumpScopes
// does with its shown flag for each.
func (s *Store) bumpEach(ctx context.Context, tx pgx.Tx, shown map[string]bool, now time.Time) error {
	keys := make([]string, 0, len(shown))
	for k := range shown {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := &pgx.Batch{}
	for _, k := range keys {
		query, changedAt := s.bumpQuery(now, shown[k])
		b.Queue(query, k, changedAt)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("bump scopes: %w", err)
	}
	return nil
}

// storedScopes reads the scope keys the article with id is filed under,
// and whether any slug its lists store is not the one its name gives now.
func storedScopes(ctx context.Context, tx pgx.Tx, id string) (keys []string, stale bool, err error) {
	rows, err := tx.Query(ctx, `SELECT name, slug FROM article_terms WHERE article_id = $1
		UNION ALL SELECT name, slug FROM article_authors WHERE article_id = $1`, id)
	if err != nil {
		return nil, false, err
	}
	for rows.Next() {
		var name, slug string
		if err := rows.Scan(&name, &slug); err != nil {
			rows.Close()
			return nil, false, err
		}
		stale = stale || herald.Slugify(name) != slug
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	rows, err = tx.Query(ctx, "SELECT scope_key FROM article_scopes WHERE article_id = $1", id)
	if err != nil {
		return nil, false, err
	}
	keys, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return keys, stale, err
}

// sameKeys reports whether a and b hold the same keys, in any order.
func sameKeys(a, b []string) bool {
	same := true
	eachKey(a, b, func(_ string, inA, inB bool) { same = same && inA && inB })
	return same
}

// eachKey calls fn once for each key of was and is, with whether it is in
// each.
func eachKey(was, is []string, fn func(key string, inWas, inIs bool)) {
	in := map[string]int{}
	for _, k := range was {
		in[k] |= 1
	}
	for _, k := range is {
		in[k] |= 2
	}
	for k, v := range in {
		fn(k, v&1 != 0, v&2 != 0)
	}
}
