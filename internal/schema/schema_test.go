package schema

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadOrdersAndChecksNames(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_more.up.sql": {Data: []byte("B")},
		"m/0001_init.up.sql": {Data: []byte("A")},
		"m/README.md":        {Data: []byte("ignored")},
	}
	steps, err := Load(fsys, "m")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := Versions(steps), []string{"0001_init", "0002_more"}; !slices.Equal(got, want) {
		t.Fatalf("versions=%q, want %q", got, want)
	}
	if steps[0].SQL != "A" || steps[1].SQL != "B" {
		t.Errorf("SQL=%q,%q, want A,B", steps[0].SQL, steps[1].SQL)
	}
	fsys["m/3_bad.up.sql"] = &fstest.MapFile{Data: []byte("C")}
	if _, err := Load(fsys, "m"); err == nil {
		t.Errorf("Load accepted a badly named migration")
	}
}

func TestValidName(t *testing.T) {
	tests := map[string]bool{
		"0001_init.up.sql":     true,
		"0042_add_x_2.up.sql":  true,
		"001_init.up.sql":      false,
		"0001-init.up.sql":     false,
		"0001_Init.up.sql":     false,
		"0001_init.down.sql":   false,
		"0001_init.up.sql.bak": false,
	}
	for name, want := range tests {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q)=%v, want %v", name, got, want)
		}
	}
}

func TestCheckKnown(t *testing.T) {
	steps := []Step{{Version: "0001_init"}, {Version: "0002_more"}}
	if err := CheckKnown(steps, []Applied{{Version: "0001_init"}}); err != nil {
		t.Errorf("an older database was refused: %v", err)
	}
	err := CheckKnown(steps, []Applied{{Version: "0001_init"}, {Version: "0003_future"}})
	if err == nil || !strings.Contains(err.Error(), "0003_future") {
		t.Errorf("a newer database: err=%v, want one naming 0003_future", err)
	}
}
