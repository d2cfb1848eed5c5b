package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func collect(rows pgx.Rows) error {
	var id string
	var v int64
	_, err := pgx.ForEachRow(rows, []any{&id, &v}, func() error { return nil })
	return err
}

func main() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:5432/herald_explain?"+os.Args[1])
	if err != nil {
		panic(err)
	}
	const n = 2000
	keysQ := `SELECT s.article_id, a.version FROM article_scopes s JOIN articles a ON a.id = s.article_id WHERE s.scope_key = $1 AND s.published_at <= $2 ORDER BY s.published_at DESC, s.article_id LIMIT $3 OFFSET $4`
	countQ := `SELECT count(*) FROM article_scopes WHERE scope_key = $1 AND published_at <= $2`
	now := time.Now()
	run := func(name string, f func() error) {
		for range 200 {
			if err := f(); err != nil {
				panic(err)
			}
		}
		t := time.Now()
		for range n {
			if err := f(); err != nil {
				panic(err)
			}
		}
		fmt.Printf("%-40s %6.1f µs\n", name, float64(time.Since(t).Microseconds())/n)
	}
	run("select 1", func() error { _, err := pool.Exec(ctx, "SELECT 1"); return err })
	run("count query", func() error { var c int64; return pool.QueryRow(ctx, countQ, "site", now).Scan(&c) })
	run("keys query alone", func() error {
		rows, _ := pool.Query(ctx, keysQ, "site", now, 100, 0)
		return collect(rows)
	})
	run("batch: begin + keys + commit", func() error {
		b := &pgx.Batch{}
		b.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
		b.Queue(keysQ, "site", now, 100, 0).Query(collect)
		b.Queue("COMMIT")
		return pool.SendBatch(ctx, b).Close()
	})
}
