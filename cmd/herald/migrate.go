package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// runMigrate is `herald migrate up|status [flags]` on the configured
// database_url. `up` applies pending migrations (serve does too, so this
// is for running them ahead of a deploy); `status` lists every migration
// and whether it is applied, changing nothing.
func runMigrate(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		_, _, err := loadConfig(args, environ, stderr) // prints the usage and the flags
		return err
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("migrate needs a subcommand: herald migrate up|status [flags]")
	}
	if args[0] != "up" && args[0] != "status" {
		return fmt.Errorf("migrate: unknown subcommand %q; the subcommands are up and status: herald migrate up|status [flags]", args[0])
	}
	sub := args[0]
	cfg, rest, err := loadConfig(args[1:], environ, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("migrate %s takes no arguments, got %q", sub, rest)
	}
	s, err := openStoreURL(ctx, cfg.DatabaseURL, storeOptions{skipMigrate: true, mustExist: sub == "status"})
	if err != nil {
		return err
	}
	defer s.Close()
	where := redactURL(cfg.DatabaseURL)

	if sub == "up" {
		applied, err := s.Migrate(ctx)
		for _, v := range applied {
			fmt.Fprintf(stdout, "applied %s\n", v)
		}
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintf(stdout, "%s is up to date\n", where)
		} else {
			fmt.Fprintf(stdout, "%s: %d migrations applied\n", where, len(applied))
		}
		return nil
	}

	states, err := migrationStates(ctx, s)
	if err != nil {
		return err
	}
	pending, width := 0, 0
	var unknown []string
	for _, m := range states {
		width = max(width, len(m.Version))
	}
	fmt.Fprintf(stdout, "%s\n", where)
	for _, m := range states {
		switch {
		case m.AppliedAt.IsZero():
			pending++
			fmt.Fprintf(stdout, "  %-*s  pending\n", width, m.Version)
		case m.Unknown:
			unknown = append(unknown, m.Version)
			fmt.Fprintf(stdout, "  %-*s  applied %s, unknown to this build\n", width, m.Version, m.AppliedAt.UTC().Format(time.RFC3339))
		default:
			fmt.Fprintf(stdout, "  %-*s  applied %s\n", width, m.Version, m.AppliedAt.UTC().Format(time.RFC3339))
		}
	}
	fmt.Fprintf(stdout, "%d applied, %d pending\n", len(states)-pending, pending)
	if len(unknown) > 0 {
		// serve refuses such a database (schema.Migrate): say so here, and
		// fail, so that a deploy script checking the status stops too.
		return fmt.Errorf("the database has migrations this build does not know (%s): a newer herald migrated it, and this build will not serve it",
			strings.Join(unknown, ", "))
	}
	return nil
}
