// Package postgres is Herald's store for deployments that outgrow one
// machine: herald.Store on PostgreSQL through pgx v5 and its connection
// pool, so that any number of stateless Herald replicas share one database.
//
// It follows the SQLite store's contracts exactly (internal/storetest holds
// both to them): the schema lives in embedded, ordered migrations applied
// at Open, each in its own transaction together with the row recording it,
// then the data rewrites a migration may leave owed (rewrite.go);
// every write is one transaction that changes the article rows and bumps
// the revision and changed_at of every scope it touches; every read of more
// than one statement runs in one REPEATABLE READ, READ ONLY transaction, a
// consistent snapshot. Times are stored as whole seconds in UTC and empty
// lists come back as nil.
//
// The pool is configured through the database URL's pgx parameters, for
// example postgres://herald@db/herald?pool_max_conns=20&pool_max_conn_idle_time=5m
// (see pgxpool.ParseConfig for the full list).
package postgres
