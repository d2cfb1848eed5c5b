package config

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// TestREADMEListsEveryEnvVar keeps the README's configuration section in
// step with defaults.yaml (MarkdownTable renders it).
func TestREADMEListsEveryEnvVar(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("../README.md does not exist yet; this test checks it once the README is written")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys() {
		if !strings.Contains(string(readme), k.Env) {
			t.Errorf("README.md does not mention %s (key %s); paste config.MarkdownTable() into it", k.Env, k.Name)
		}
	}
}
