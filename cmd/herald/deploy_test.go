package main

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/herald-feeds/herald/config"
)

// TestDockerCompose checks deploy/docker-compose.yml without a Docker
// engine: it parses, its replicas build the repository's Dockerfile, every
// HERALD_* variable it sets is a configuration key, the replicas' settings
// pass Herald's own validation, and they point at the compose file's
// PostgreSQL and Redis services.
func TestDockerCompose(t *testing.T) {
	path := filepath.Join("..", "..", "deploy", "docker-compose.yml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Build *struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile"`
			} `yaml:"build"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   any               `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	for _, name := range []string{"postgres", "redis", "lb"} {
		if _, ok := compose.Services[name]; !ok {
			t.Fatalf("service %s missing", name)
		}
	}
	known := map[string]bool{}
	for _, k := range config.Keys() {
		known[k.Env] = true
	}
	placeholder := regexp.MustCompile(`\$\{[A-Z_]+(:-([^}]*)|:\?[^}]*)?\}`)
	replicas := 0
	for name, svc := range compose.Services {
		if !strings.HasPrefix(name, "herald") {
			continue
		}
		replicas++
		if svc.Build == nil {
			t.Fatalf("%s has no build section", name)
		}
		df := filepath.Join(filepath.Dir(path), svc.Build.Context, svc.Build.Dockerfile)
		if _, err := os.Stat(df); err != nil {
			t.Fatalf("%s builds %s: %v", name, df, err)
		}
		var environ []string
		for k, v := range svc.Environment {
			if !known[k] {
				t.Fatalf("%s sets %s, which is no configuration key", name, k)
			}
			// ${VAR:-default} takes its default, ${VAR:?msg} a stand-in.
			v = placeholder.ReplaceAllStringFunc(v, func(m string) string {
				if sub := placeholder.FindStringSubmatch(m); strings.HasPrefix(sub[1], ":-") {
					return sub[2]
				}
				return "compose-placeholder"
			})
			environ = append(environ, k+"="+v)
		}
		cfg, _, _, err := config.LoadArgs(nil, environ)
		if err != nil {
			t.Fatalf("%s's configuration is invalid: %v", name, err)
		}
		if driver, _ := cfg.DatabaseDriver(); driver != config.DriverPostgres {
			t.Fatalf("%s uses database driver %q, want postgres", name, driver)
		}
		for _, raw := range []string{cfg.DatabaseURL, cfg.Redis.URL} {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := compose.Services[u.Hostname()]; !ok {
				t.Fatalf("%s connects to %s, which is not a service of the file", name, u.Hostname())
			}
		}
	}
	if replicas != 2 {
		t.Fatalf("%d herald replicas, want 2", replicas)
	}
}
