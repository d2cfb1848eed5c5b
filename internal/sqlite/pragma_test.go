package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPragmas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "herald.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}

	// Several connections at once, so that more than one of the pool's
	// connections is checked: every one must carry the pragmas.
	ctx := context.Background()
	var conns []*sql.Conn
	for range 3 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatalf("Conn: %v", err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	}
	for i, c := range conns {
		for _, tc := range tests {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, tc.pragma, err)
			}
			if strings.ToLower(got) != tc.want {
				t.Fatalf("conn %d: PRAGMA %s=%q, want %q", i, tc.pragma, got, tc.want)
			}
		}
	}

	// WAL is a property of the file: a bare connection without our DSN
	// sees it too.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open raw: %v", err)
	}
	defer raw.Close()
	var mode string
	if err := raw.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatalf("raw PRAGMA journal_mode: %v", err)
	}
	if mode != "wal" {
		t.Fatalf("file journal_mode=%q, want wal", mode)
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"", ":memory:", "file:" + filepath.Join(dir, "x.db"), filepath.Join(dir, "x.db?mode=ro")} {
		if s, err := Open(context.Background(), p, Options{}); err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded, want an error", p)
		}
	}
}

func TestQueryPlans(t *testing.T) {
	s := mustOpen(t, time.Now)
	tests := []struct {
		name  string
		query string
		args  []any
		index string
	}{
		{"feed page", feedPageQuery, []any{"category:go", 0, 10, 0}, "USING PRIMARY KEY"},
		{"feed page further on", feedPageDeepQuery, []any{"category:go", 0, 10, 100}, "SEARCH article_scopes USING PRIMARY KEY"},
		{"page keys further on", feedKeysDeepQuery, []any{"category:go", 0, 10, 100}, "USING COVERING INDEX articles_version"},
		{"page horizon", horizonQuery, []any{"category:go", 0, 100}, "SEARCH article_scopes USING PRIMARY KEY"},
		{"admin list", listQuery, []any{10, 0}, "USING INDEX articles_by_published"},
		// Scope by scope through the kept counts, each seeking its range.
		{"scopes", scopesQuery, []any{0}, "SCAN c\nCORRELATED SCALAR SUBQUERY 1\nSEARCH s USING PRIMARY KEY (scope_key=? AND published_at<?)"},
	}
	for _, tc := range tests {
		rows, err := s.db.Query("EXPLAIN QUERY PLAN "+tc.query, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "\n")
		t.Logf("%s:\n%s", tc.name, joined)
		if strings.Contains(joined, "TEMP B-TREE") {
			t.Fatalf("%s sorts in a temporary b-tree:\n%s", tc.name, joined)
		}
		if !strings.Contains(joined, tc.index) {
			t.Fatalf("%s plan does not mention %q:\n%s", tc.name, tc.index, joined)
		}
	}
}
