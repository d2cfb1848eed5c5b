// Package schema reads a store's schema migrations: SQL files embedded in
// the store's package, one per step, named NNNN_description.up.sql and
// applied in name order. Each store applies them with its own driver and
// locking; what a step is, how steps are named and in which order they come
// is decided here, once, so the stores cannot drift apart.
package schema

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Step is one migration this build knows.
type Step struct {
	Version string // the file name without ".up.sql", e.g. "0001_init"
	SQL     string
}

// fileName matches the files a store accepts: a zero-padded sequence
// number, an underscore and a lower-case description.
var fileName = regexp.MustCompile(`^[0-9]{4}_[a-z0-9_]+\.up\.sql$`)

// ValidName reports whether name (without a directory) is a migration file
// name the runner accepts.
func ValidName(name string) bool { return fileName.MatchString(name) }

// Load returns the migrations in dir of fsys, in order. A .up.sql file whose
// name does not follow the pattern is an error rather than silently skipped.
func Load(fsys fs.FS, dir string) ([]Step, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.up.sql"))
	if err != nil {
		return nil, fmt.Errorf("schema: list migrations: %w", err)
	}
	sort.Strings(names)
	out := make([]Step, 0, len(names))
	for _, name := range names {
		base := path.Base(name)
		if !ValidName(base) {
			return nil, fmt.Errorf("schema: bad migration file name %q", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("schema: read %s: %w", base, err)
		}
		out = append(out, Step{Version: strings.TrimSuffix(base, ".up.sql"), SQL: string(b)})
	}
	return out, nil
}

// Versions lists the steps' versions in order.
func Versions(steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.Version
	}
	return out
}

// Applied is one migration a database records as applied.
type Applied struct {
	// Version is the migration's file name without ".up.sql", e.g. "0001_init".
	Version   string
	AppliedAt time.Time
}

// CheckKnown refuses a database migrated by a newer build: every applied
// version must be one of steps, or this build's queries would run against
// a schema it does not know.
func CheckKnown(steps []Step, applied []Applied) error {
	known := make(map[string]bool, len(steps))
	for _, s := range steps {
		known[s.Version] = true
	}
	for _, a := range applied {
		if !known[a.Version] {
			return fmt.Errorf("the database has migration %s, which this build does not know; run a newer herald", a.Version)
		}
	}
	return nil
}
