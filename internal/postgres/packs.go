package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/herald-feeds/herald/internal/herald"
)

// unpackedQuery selects, in id order after a given id, the id of up to a
// number of articles without a pack of their current version and this
// build's format (herald.PackFormat): after, format, limit. It reads no
// pack: the format has a column of its own.
const unpackedQuery = `SELECT a.id FROM articles a
	LEFT JOIN article_packs p ON p.article_id = a.id
	WHERE a.id > $1 AND (p.article_id IS NULL OR p.version <> a.version OR p.format < $2)
	ORDER BY a.id LIMIT $3`

// backfillQuery stores a pack made from the article's version given, if
// the row still has it, unless the pack there is of that version and a
// format at least as new (another replica packed it meanwhile, maybe a
// newer build): format, pack, id, version.
const backfillQuery = `INSERT INTO article_packs (article_id, version, format, pack)
	SELECT id, version, $1, $2 FROM articles WHERE id = $3 AND version = $4
	ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, format = excluded.format, pack = excluded.pack
	WHERE article_packs.version <> excluded.version OR article_packs.format < excluded.format`

// PackArticles stores the pack of every article that has none of its
// current version and format: articles written before migration 0006, or
// last by a build that does not make packs. It reads them in batches of
// herald.PackBatch, each in one read transaction, packs them outside any
// transaction and writes the packs in transactions of at most
// herald.PackWriteBytes, one round trip each; an article written
// meanwhile keeps the pack its write made. It returns how many packs it
// stored.
func (s *Store) PackArticles(ctx context.Context) (int, error) {
	var after string
	var total int
	for {
		var arts []*herald.Article
		var versions map[string]int64
		var found int
		err := s.readTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, unpackedQuery, after, herald.PackFormat, herald.PackBatch)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil || len(ids) == 0 {
				return err
			}
			found, after = len(ids), ids[len(ids)-1]
			byID, vs, _, err := fetchVersioned(ctx, tx, ids)
			if err != nil {
				return fmt.Errorf("read: %w", err)
			}
			arts, versions = make([]*herald.Article, 0, len(ids)), vs
			for _, id := range ids {
				if a := byID[id]; a != nil {
					arts = append(arts, a)
				}
			}
			return nil
		})
		if err != nil {
			return total, storeError("pack articles", err)
		}
		if found == 0 {
			return total, nil
		}
		packs := herald.PackAll(arts)
		for _, r := range herald.PackWrites(packs) {
			var packed int
			// Packs change no scope: nothing for a fold to do.
			err = s.retryWrite(ctx, func(tx pgx.Tx) error {
				packed = 0
				b := &pgx.Batch{}
				for i := r.Start; i < r.End; i++ {
					b.Queue(backfillQuery, herald.PackFormat, packs[i], arts[i].ID, versions[arts[i].ID]).Exec(func(tag pgconn.CommandTag) error {
						packed += int(tag.RowsAffected())
						return nil
					})
				}
				return tx.SendBatch(ctx, b).Close()
			})
			if err != nil {
				return total, storeError("pack articles", err)
			}
			total += packed
		}
	}
}
