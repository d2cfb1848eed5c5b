package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

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
// that other processes' writers wait for at most one batch (well below
// busyTimeout), however many articles need rewriting.
const rewriteBatch = 200

// runDataRewrites runs the data rewrites the database still owes. A
// rewrite interrupted (a crash, a cancelled context) is run again at the
// next open and takes up what is left: each works in transactions that
// leave the data consistent, and finds its work again from the data.
// Two processes opening at once may both run one; each batch checks again,
// under SQLite's write lock, what it writes, so the only cost is a second
// search.
func (s *Store) runDataRewrites(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM data_rewrites WHERE done_at IS NULL ORDER BY name")
	if err != nil {
		return fmt.Errorf("sqlite: data rewrites: %w", err)
	}
	var owed []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: data rewrites: %w", err)
		}
		owed = append(owed, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: data rewrites: %w", err)
	}
	for _, name := range owed {
		run := dataRewrites[name]
		if run == nil {
			return fmt.Errorf("sqlite: the database owes data rewrite %q, which this build does not know; run a newer herald", name)
		}
		if _, err := run(s, ctx); err != nil {
			return fmt.Errorf("sqlite: data rewrite %s: %w", name, err)
		}
		if _, err := s.db.ExecContext(ctx, "UPDATE data_rewrites SET done_at = ? WHERE name = ? AND done_at IS NULL", s.clock().Unix(), name); err != nil {
			return fmt.Errorf("sqlite: data rewrite %s: %w", name, err)
		}
	}
	return nil
}

// rewriteSlugMarks writes again every article that has a name (author,
// category, tag) whose stored slug is not herald.Slugify's: those an
// earlier build derived when Slugify dropped combining marks (migration
// 0007). It returns how many articles it wrote.
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
	list, err := json.Marshal(stale)
	if err != nil {
		return 0, err
	}
	written := 0
	for _, table := range [...]string{"article_terms", "article_authors"} {
		query := `SELECT DISTINCT article_id FROM ` + table + `
			WHERE article_id > ? AND name IN (SELECT value FROM json_each(?))
			ORDER BY article_id LIMIT ?`
		after := ""
		for {
			ids, err := s.articleIDs(ctx, query, after, string(list), rewriteBatch)
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
	rows, err := s.db.QueryContext(ctx, `SELECT name, slug FROM article_terms
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

// articleIDs runs query, which selects one column of article ids, with
// args.
func (s *Store) articleIDs(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// rewriteArticles writes again, in one transaction, each article of ids
// whose stored slugs or scopes are not those its names give now, as
// PutArticle would write it back unchanged: the row and every list
// deleted and inserted by insertArticle (so its feed membership, the
// scopes' counts, kept by triggers, and its pack follow), its UpdatedAt
// and permalink kept. The row gets a new version, as every write gives
// it. An article deleted since it was listed, or already right (written
// meanwhile by this build), is left alone. It returns how many it wrote.
//
// Every scope the article was in or is in now gets a new revision and an
// invalidation on record, so whichever server starts first drops the
// cached feeds of both its old and its new scopes. Only the scopes it
// leaves or joins count as changed (changed_at, the feeds' Last-Modified);
// the others (the site, names whose slug stays) render the same items and
// keep their Last-Modified.
func (s *Store) rewriteArticles(ctx context.Context, ids []string) (int, error) {
	now := s.clock()
	written := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		written = 0
		shown := map[string]bool{} // every key to bump -> whether readers see it change
		for _, id := range ids {
			a, err := articleWhere(ctx, tx, "a.id = ?", id)
			if herald.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			stored, stale, err := storedScopes(ctx, tx, id)
			if err != nil {
				return err
			}
			fresh := a.ScopeKeys()
			if !stale && sameKeys(stored, fresh) {
				continue
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM articles WHERE id = ?", id); err != nil {
				return err
			}
			if err := s.insertArticle(ctx, tx, a, a.UpdatedAt); err != nil {
				return err
			}
			visible := a.Visible(now)
			eachKey(stored, fresh, func(key string, was, is bool) {
				shown[key] = shown[key] || (was != is && visible)
			})
			written++
		}
		var changed, same []string
		for k, v := range shown {
			if v {
				changed = append(changed, k)
			} else {
				same = append(same, k)
			}
		}
		if err := s.bumpScopes(ctx, tx, changed, now, true); err != nil {
			return err
		}
		return s.bumpScopes(ctx, tx, same, now, false)
	})
	return written, err
}

// storedScopes reads the scope keys the article with id is filed under,
// and whether any slug its lists store is not the one its name gives now.
func storedScopes(ctx context.Context, tx *sql.Tx, id string) (keys []string, stale bool, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, slug FROM article_terms WHERE article_id = ?1
		UNION ALL SELECT name, slug FROM article_authors WHERE article_id = ?1`, id)
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
	rows, err = tx.QueryContext(ctx, "SELECT scope_key FROM article_scopes WHERE article_id = ?", id)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, false, err
		}
		keys = append(keys, k)
	}
	return keys, stale, rows.Err()
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
