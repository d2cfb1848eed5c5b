// Package pgtest gives tests a fresh PostgreSQL database of their own.
//
// Each call creates a database with a random name on the server named by
// HERALD_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres,
// the local server with trust authentication) and drops it when the test
// ends, so runs never see each other's rows and leave nothing behind. When
// the server cannot be reached the test is skipped with a message saying
// why, unless HERALD_REQUIRE_POSTGRES=1 is set (as CI does): then it fails.
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequireEnv turns an unreachable server into a failure instead of a skip.
const RequireEnv = "HERALD_REQUIRE_POSTGRES"

// URLEnv names the administrative connection URL tests create databases
// through.
const URLEnv = "HERALD_TEST_POSTGRES_URL"

// DefaultURL is the administrative URL when URLEnv is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres"

// NewDatabase creates an empty database for tb and returns its URL. The
// database is dropped (its connections terminated) in tb.Cleanup.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv(URLEnv)
	if admin == "" {
		admin = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("pgtest: PostgreSQL at %s is unreachable and %s=1: %v", redact(admin), RequireEnv, err)
		}
		tb.Skipf("pgtest: PostgreSQL at %s is unreachable, skipping (set %s to another server, or %s=1 to make this fatal): %v",
			redact(admin), URLEnv, RequireEnv, err)
	}
	defer conn.Close(context.Background())

	name := "herald_test_" + strings.ToLower(rand.Text()[:16])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() { drop(tb, admin, name) })

	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("pgtest: parse %s: %v", URLEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// drop removes the database, ending any connection a test left open.
func drop(tb testing.TB, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Errorf("pgtest: drop database %s: %v", name, err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		tb.Errorf("pgtest: drop database %s: %v", name, err)
	}
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
