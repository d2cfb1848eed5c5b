package config

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEListsEveryEnvVar keeps the README's configuration section in
// step with defaults.yaml (MarkdownTable renders it).
func TestREADMEListsEveryEnvVar(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatalf("read the README: %v", err)
	}
	if !strings.Contains(string(readme), MarkdownTable()) {
		t.Errorf("README.md does not hold the current configuration table; replace it with config.MarkdownTable()")
	}
	for _, k := range Keys() {
		if !strings.Contains(string(readme), k.Env) {
			t.Errorf("README.md does not mention %s (key %s); paste config.MarkdownTable() into it", k.Env, k.Name)
		}
	}
}
