package config

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestKeysDocumented checks that every key of defaults.yaml has a doc
// comment, the fixed environment and flag names, and a field in Config,
// and that every field of Config has a key.
func TestKeysDocumented(t *testing.T) {
	keys := Keys()
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
		if len(k.Doc) < 10 {
			t.Errorf("%s: doc=%q, want a comment line above the key in defaults.yaml", k.Name, k.Doc)
		}
		if want := "HERALD_" + strings.ToUpper(strings.ReplaceAll(k.Name, ".", "_")); k.Env != want {
			t.Errorf("%s: env=%q, want %q", k.Name, k.Env, want)
		}
		if want := strings.ReplaceAll(k.Name, "_", "-"); k.Flag != want {
			t.Errorf("%s: flag=%q, want %q", k.Name, k.Flag, want)
		}
	}
	var fields []string
	for _, f := range schema() {
		fields = append(fields, f.key)
	}
	// Same order too, so that Print and the README list keys as Config does.
	if !slices.Equal(names, fields) {
		t.Fatalf("defaults.yaml keys=%q\nConfig fields=%q\nwant the same keys in the same order", names, fields)
	}
}

// TestKeysFixedNames pins names that operators rely on.
func TestKeysFixedNames(t *testing.T) {
	byName := map[string]Key{}
	for _, k := range Keys() {
		byName[k.Name] = k
	}
	cases := []struct{ name, env, flag string }{
		{"addr", "HERALD_ADDR", "addr"},
		{"base_url", "HERALD_BASE_URL", "base-url"},
		{"database_url", "HERALD_DATABASE_URL", "database-url"},
		{"redis.url", "HERALD_REDIS_URL", "redis.url"},
		{"api.token", "HERALD_API_TOKEN", "api.token"},
		{"site.author.name", "HERALD_SITE_AUTHOR_NAME", "site.author.name"},
		{"import.on_empty_store", "HERALD_IMPORT_ON_EMPTY_STORE", "import.on-empty-store"},
	}
	for _, c := range cases {
		k, ok := byName[c.name]
		if !ok {
			t.Errorf("key %q missing from defaults.yaml", c.name)
			continue
		}
		if k.Env != c.env || k.Flag != c.flag {
			t.Errorf("%s: env=%q flag=%q, want %q and %q", c.name, k.Env, k.Flag, c.env, c.flag)
		}
	}
}

func TestKeysSecret(t *testing.T) {
	var secrets []string
	for _, k := range Keys() {
		if k.Secret {
			secrets = append(secrets, k.Name)
		}
	}
	if want := []string{"redis.password", "redis.sentinel.password", "api.token", "api.tokens"}; !slices.Equal(secrets, want) {
		t.Fatalf("secret keys=%q, want %q", secrets, want)
	}
}

// TestEveryKeyHasAFlag checks the flag help lists a flag for each key,
// with the key's doc as its help.
func TestEveryKeyHasAFlag(t *testing.T) {
	var buf bytes.Buffer
	Usage(&buf)
	usage := buf.String()
	for _, k := range Keys() {
		// A boolean flag takes no value, so nothing follows its name.
		if !strings.Contains(usage, "  -"+k.Flag+" ") && !strings.Contains(usage, "  -"+k.Flag+"\n") {
			t.Errorf("usage lacks flag -%s:\n%s", k.Flag, usage)
		}
		if !strings.Contains(usage, strings.ReplaceAll(k.Doc, "`", "'")) {
			t.Errorf("usage lacks the doc of %s", k.Name)
		}
	}
	if !strings.Contains(usage, "  -config ") {
		t.Errorf("usage lacks -config")
	}
}

func TestMarkdownTable(t *testing.T) {
	table := MarkdownTable()
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	keys := Keys()
	if len(lines) != len(keys)+2 {
		t.Fatalf("table has %d lines, want a header, a rule and %d rows:\n%s", len(lines), len(keys), table)
	}
	for i, k := range keys {
		row := lines[i+2]
		for _, want := range []string{"`" + k.Name + "`", "`" + k.Env + "`", k.Doc} {
			if !strings.Contains(row, want) {
				t.Errorf("row %q lacks %q", row, want)
			}
		}
		if strings.Count(row, " | ") != 3 {
			t.Errorf("row %q does not have exactly four cells", row)
		}
	}
	if !strings.Contains(table, "| `addr` | `HERALD_ADDR` | `:8080` |") {
		t.Errorf("table lacks the addr row as expected:\n%s", table)
	}
	if !strings.Contains(table, "| `api.token` | `HERALD_API_TOKEN` | (empty) |") {
		t.Errorf("table lacks the api.token row with an empty default:\n%s", table)
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"addr", "addr", 0},
		{"adr", "addr", 1},
		{"max_limt", "max_limit", 1},
		{"kitten", "sitting", 3},
		{"", "abc", 3},
	}
	for _, c := range cases {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q)=%d, want %d", c.a, c.b, got, c.want)
		}
	}
}
