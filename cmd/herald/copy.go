package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storecopy"
)

// runCopy is `herald copy --from DBURL --to DBURL [flags]`: every article
// of one store into another (SQLite to PostgreSQL is the usual move),
// idempotent, with a progress line every 100 articles and a summary. The
// target is migrated first; the source, only read, must be at this
// build's schema already. When redis is configured, the feeds of every
// article written are invalidated there too, so a live target's replicas
// serve the copy at once.
func runCopy(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	from, to, args, err := copyFlags(args)
	if err != nil {
		return err
	}
	cfg, rest, err := loadConfig(args, environ, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("copy takes no arguments, got %q", rest)
	}
	if from == "" || to == "" {
		return errors.New("copy needs both stores: herald copy --from DBURL --to DBURL")
	}
	if from == to {
		return errors.New("copy: --from and --to name the same database")
	}
	// A copy only reads its source: it never migrates it (which would
	// also leave it unusable by the build that wrote it).
	src, err := openStoreURL(ctx, from, storeOptions{mustExist: true, skipMigrate: true})
	if err != nil {
		return fmt.Errorf("copy: source: %w", err)
	}
	defer src.Close()
	if err := sourceSchema(ctx, src, from); err != nil {
		return err
	}
	dst, err := openStoreURL(ctx, to, storeOptions{})
	if err != nil {
		return fmt.Errorf("copy: target: %w", err)
	}
	defer dst.Close()
	target, err := storecopy.AsTarget(dst)
	if err != nil {
		return err
	}

	opts := storecopy.Options{Progress: stdout}
	if cfg.Redis.Enabled() {
		cache.RouteClientLogs(cfg.Logger(stderr))
		rc, err := openRedisCache(cfg, redisUse{})
		if err != nil {
			return err
		}
		defer rc.Close()
		opts.Invalidate = func(ctx context.Context, scopes []herald.Scope) error { return rc.Invalidate(ctx, scopes) }
	}
	fmt.Fprintf(stdout, "copying %s -> %s\n", redactURL(from), redactURL(to))
	sum, err := storecopy.Copy(ctx, src, target, opts)
	fmt.Fprintln(stdout, sum)
	return err
}

// copyFlags takes --from and --to (also -from, -to and the =VALUE forms)
// out of args and leaves the configuration flags.
func copyFlags(args []string) (from, to string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || (name != "from" && name != "to") {
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", "", nil, fmt.Errorf("copy: flag -%s needs a database URL", name)
			}
			i++
			value = args[i]
		}
		if name == "from" {
			from = value
		} else {
			to = value
		}
	}
	return from, to, rest, nil
}

// sourceSchema refuses a source whose schema is not the one this build
// reads: one that lacks migrations, which a copy does not apply to the
// database it only reads, or one a newer build migrated.
func sourceSchema(ctx context.Context, src schemaStore, from string) error {
	states, err := migrationStates(ctx, src)
	if err != nil {
		return fmt.Errorf("copy: source: read its schema migrations: %w", err)
	}
	var pending, unknown []string
	for _, st := range states {
		switch {
		case st.Unknown:
			unknown = append(unknown, st.Version)
		case st.AppliedAt.IsZero():
			pending = append(pending, st.Version)
		}
	}
	switch {
	case len(unknown) > 0:
		return fmt.Errorf("copy: source %s was migrated by a newer Herald (%s, unknown to this build): copy with that build",
			redactURL(from), strings.Join(unknown, ", "))
	case len(pending) > 0:
		return fmt.Errorf("copy: source %s lacks this build's migrations %s, and a copy does not change its source: "+
			"apply them first with `herald migrate up -database-url SOURCE`, or copy with the build that last wrote it",
			redactURL(from), strings.Join(pending, ", "))
	}
	return nil
}
