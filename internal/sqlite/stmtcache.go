package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// queryer is what the read helpers need of a transaction: a plain *sql.Tx
// (writes) or a readTx, whose statements come prepared from the cache.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCache keeps one prepared statement per query text. The read queries
// are a fixed set of constant strings (lists travel as one JSON parameter),
// so the cache stays small. Preparing costs SQLite a parse and a plan,
// which a profile of Feed showed as about a third of its time.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query text → *sql.Stmt
}

// get returns the prepared statement for query, preparing it on first use.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		c.m.Delete(k)
		return true
	})
}

// readTx is a read-only transaction whose queries run as cached prepared
// statements bound to it (database/sql prepares each once per connection).
type readTx struct {
	*sql.Tx
	cache *stmtCache
}

// QueryContext runs query as a prepared statement within the transaction.
func (t readTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.cache.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

// QueryRowContext runs query as a prepared statement within the
// transaction. A statement that cannot be prepared is run unprepared, so
// its error surfaces from Scan as *sql.Row errors always do.
func (t readTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.cache.get(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}
