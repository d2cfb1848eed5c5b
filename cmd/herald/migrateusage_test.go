package main

import (
	"strings"
	"testing"
)

// TestMigrateSubcommandUsage checks that migrate names an unknown
// subcommand and lists the valid ones, with the exit code of the other
// usage errors of migrate (1).
func TestMigrateSubcommandUsage(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"migrate", "foo"}, []string{`unknown subcommand "foo"`, "up", "status"}},
		{[]string{"migrate", "down", "-database-url", "sqlite::memory:"}, []string{`unknown subcommand "down"`, "up|status"}},
		{[]string{"migrate"}, []string{"needs a subcommand", "up|status"}},
		{[]string{"migrate", "-database-url", "sqlite:x.db"}, []string{"needs a subcommand", "up|status"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, c.args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Fatalf("stderr %q, want it to contain %q", errOut, w)
				}
			}
		})
	}
}
