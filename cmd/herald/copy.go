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
// target is migrated first. When redis is configured, the feeds of every
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
	src, err := openStoreURL(ctx, from, storeOptions{mustExist: true})
	if err != nil {
		return fmt.Errorf("copy: source: %w", err)
	}
	defer src.Close()
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
