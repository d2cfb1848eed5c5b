package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/herald-feeds/herald/internal/herald"
)

// unpackedQuery selects, in id order after a given id, the id and version
// of up to a number of articles without a pack of their current version
// and this build's format (herald.PackFormat): after, format, limit. It
// reads no pack: the format has a column of its own.
const unpackedQuery = `SELECT a.id, a.version FROM articles a
	LEFT JOIN article_packs p ON p.article_id = a.id
	WHERE a.id > ? AND (p.article_id IS NULL OR p.version <> a.version OR p.format < ?)
	ORDER BY a.id LIMIT ?`

// backfillQuery stores a pack made from the article's version given, if
// the row still has it, unless the pack there is of that version and a
// format at least as new (another process packed it meanwhile, maybe a
// newer build): format, pack, id, version.
const backfillQuery = `INSERT INTO article_packs (article_id, version, format, pack)
	SELECT id, version, ?1, ?2 FROM articles WHERE id = ?3 AND version = ?4
	ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, format = excluded.format, pack = excluded.pack
	WHERE article_packs.version <> excluded.version OR article_packs.format < excluded.format`

// PackArticles stores the pack of every article that has none of its
// current version and format: articles written before migration 0005, or
// last by a build that does not make packs. It reads them in batches of
// herald.PackBatch, each in one read transaction, packs them outside any
// transaction and writes the packs in transactions of at most
// herald.PackWriteBytes, so that writers never wait long for it whatever
// the articles' size; an article written meanwhile keeps the pack its
// write made. It returns how many packs it stored.
func (s *Store) PackArticles(ctx context.Context) (int, error) {
	var after string
	var total int
	for {
		arts, versions, err := s.unpacked(ctx, after)
		if err != nil || len(arts) == 0 {
			return total, err
		}
		after = arts[len(arts)-1].ID
		packs := herald.PackAll(arts)
		for _, r := range herald.PackWrites(packs) {
			var packed int
			err := s.write(ctx, func(tx *sql.Tx) error {
				packed = 0
				for i := r.Start; i < r.End; i++ {
					res, err := tx.ExecContext(ctx, backfillQuery, herald.PackFormat, packs[i], arts[i].ID, versions[i])
					if err != nil {
						return err
					}
					n, err := res.RowsAffected()
					if err != nil {
						return err
					}
					packed += int(n)
				}
				return nil
			})
			if err != nil {
				return total, fail("pack articles", err)
			}
			total += packed
		}
	}
}

// unpacked reads, from one snapshot, the next batch of articles after the
// id after that need a pack, in id order, and their versions.
func (s *Store) unpacked(ctx context.Context, after string) ([]*herald.Article, []int64, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, nil, fail("pack articles", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, unpackedQuery, after, herald.PackFormat, herald.PackBatch)
	if err != nil {
		return nil, nil, fail("pack articles", err)
	}
	defer rows.Close()
	var ids []string
	var versions []int64
	for rows.Next() {
		var id string
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, nil, fail("pack articles", err)
		}
		ids, versions = append(ids, id), append(versions, v)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fail("pack articles", err)
	}
	rows.Close()
	if len(ids) == 0 {
		return nil, nil, nil
	}
	arts, err := articlesByID(ctx, tx, ids)
	if err != nil {
		return nil, nil, fail("pack articles", fmt.Errorf("read: %w", err))
	}
	return arts, versions, nil
}
