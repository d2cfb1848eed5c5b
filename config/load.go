package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"strings"
	"time"

	koanfyaml "github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"
)

// Load builds the effective configuration from defaults.yaml, the config
// file named by -config or HERALD_CONFIG, the HERALD_* variables of environ
// (formatted like os.Environ) and the flags in args, each layer overriding
// the ones before it, then validates it. Args must hold flags only.
//
// The warnings name HERALD_* variables that match no key; they were
// ignored, and the caller should log them. With -h or -help in args the
// error wraps flag.ErrHelp; Usage prints the flags.
func Load(args, environ []string) (*Config, []string, error) {
	cfg, rest, warnings, err := LoadArgs(args, environ)
	if err != nil {
		return nil, warnings, err
	}
	if len(rest) > 0 {
		return nil, warnings, fmt.Errorf("config: unexpected argument %q", rest[0])
	}
	return cfg, warnings, nil
}

// LoadArgs is Load for commands that take arguments after their flags
// (`herald import DIR`): it returns those arguments instead of rejecting
// them. Flag parsing stops at the first argument that is not a flag.
func LoadArgs(args, environ []string) (cfg *Config, rest, warnings []string, err error) {
	l, err := newLoader()
	if err != nil {
		return nil, nil, nil, err
	}

	fs := l.flagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, nil, fmt.Errorf("config: %w", err)
		}
		return nil, nil, nil, fmt.Errorf("config: flags: %w", err)
	}

	// The file's path is chosen before the file is read, so -config must
	// beat HERALD_CONFIG here rather than in the layer order below.
	path, _ := lookupEnv(environ, configEnv)
	set := map[string]*flag.Flag{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = f })
	if f, ok := set[configFlag]; ok {
		path = f.Value.String()
	}
	if path != "" {
		if err := l.loadFile(path); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := l.loadEnv(environ); err != nil {
		return nil, nil, l.warnings, err
	}
	if err := l.loadFlags(set); err != nil {
		return nil, nil, l.warnings, err
	}

	cfg = new(Config)
	if err := l.ko.Unmarshal("", cfg); err != nil {
		return nil, nil, l.warnings, fmt.Errorf("config: decode: %w", err)
	}
	// Links are built as base_url + "/path"; a trailing slash would double it.
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.BaseURL == "" {
		cfg.BaseURL = localBaseURL(cfg.Addr)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, l.warnings, err
	}
	return cfg, fs.Args(), l.warnings, nil
}

// Usage prints the flags Load accepts, with each key's doc as help and
// its built-in default.
func Usage(w io.Writer) {
	l, err := newLoader()
	if err != nil {
		fmt.Fprintln(w, err)
		return
	}
	fs := l.flagSet()
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// loader holds one Load's layers as they are merged.
type loader struct {
	keys     []Key
	fields   map[string]field // by key
	byEnv    map[string]string
	byFlag   map[string]string
	ko       *koanf.Koanf // the merged layers so far
	warnings []string
}

// newLoader reads the fields of Config and loads defaults.yaml as the
// first layer.
func newLoader() (*loader, error) {
	_, keys, err := parseDefaults()
	if err != nil {
		return nil, err
	}
	l := &loader{
		keys:   keys,
		fields: map[string]field{},
		byEnv:  map[string]string{},
		byFlag: map[string]string{},
		ko:     koanf.New("."),
	}
	for _, f := range schema() {
		l.fields[f.key] = f
	}
	for _, k := range keys {
		l.byEnv[k.Env] = k.Name
		l.byFlag[k.Flag] = k.Name
	}

	src := koanf.New(".")
	if err := src.Load(rawbytes.Provider(defaultsYAML), koanfyaml.Parser()); err != nil {
		return nil, fmt.Errorf("config: load defaults.yaml: %w", err)
	}
	if err := l.merge(src, func(string) string { return "defaults.yaml" }); err != nil {
		return nil, err
	}
	// Every field needs a documented default, or it would silently be zero.
	for key := range l.fields {
		if !l.ko.Exists(key) {
			return nil, fmt.Errorf("config: defaults.yaml: missing key %q", key)
		}
	}
	return l, nil
}

// flagSet declares one typed flag per key, defaulting to defaults.yaml's
// value; only the flags that are set are merged, so the defaults shown
// in help never override the file or the environment.
func (l *loader) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("herald", flag.ContinueOnError)
	// Load is pure: parse errors are returned, never printed.
	fs.SetOutput(io.Discard)
	fs.String(configFlag, "", "Path of a YAML config file whose keys override the defaults (also HERALD_CONFIG).")
	for _, k := range l.keys {
		// The flag package reads a `quoted` word in help as the value's
		// name; docs quote commands that way, so plain quotes are used here.
		help := strings.ReplaceAll(k.Doc, "`", "'")
		switch v := l.ko.Get(k.Name).(type) {
		case time.Duration:
			d := durationFlag(v)
			fs.Var(&d, k.Flag, help)
		case int:
			fs.Int(k.Flag, v, help)
		case int64:
			fs.Int64(k.Flag, v, help)
		case bool:
			fs.Bool(k.Flag, v, help)
		case string:
			fs.String(k.Flag, v, help)
		}
	}
	return fs
}

// loadFile merges the config file at path.
func (l *loader) loadFile(path string) error {
	src := koanf.New(".")
	if err := src.Load(file.Provider(path), koanfyaml.Parser()); err != nil {
		return fmt.Errorf("config: config file %s: %w", path, err)
	}
	source := "config file " + path
	return l.merge(src, func(string) string { return source })
}

// loadEnv merges the HERALD_* variables that name a key and records a
// warning for each that names none.
func (l *loader) loadEnv(environ []string) error {
	src := koanf.New(".")
	var unknown []string
	err := src.Load(env.Provider(".", env.Opt{
		Prefix:      envPrefix,
		EnvironFunc: func() []string { return environ },
		// Keys contain underscores, so a name is looked up, never split.
		TransformFunc: func(name, value string) (string, any) {
			if name == configEnv {
				return "", nil
			}
			key, ok := l.byEnv[name]
			if !ok {
				unknown = append(unknown, name)
				return "", nil
			}
			return key, value
		},
	}), nil)
	if err != nil {
		return fmt.Errorf("config: environment: %w", err)
	}
	slices.Sort(unknown)
	for _, name := range slices.Compact(unknown) {
		w := "config: ignoring unknown environment variable " + name
		if near := nearest(name, slices.Collect(maps.Keys(l.byEnv))); near != "" {
			w += " (did you mean " + near + "?)"
		}
		l.warnings = append(l.warnings, w)
	}
	return l.merge(src, envName)
}

// loadFlags merges the flags that were set on the command line.
func (l *loader) loadFlags(set map[string]*flag.Flag) error {
	values := map[string]any{}
	for name, f := range set {
		key, ok := l.byFlag[name]
		if !ok {
			continue // -config
		}
		values[key] = f.Value.(flag.Getter).Get()
		for _, k := range l.keys {
			if k.Name != key {
				continue
			}
			switch {
			case k.Secret:
				l.warnings = append(l.warnings, fmt.Sprintf(
					"config: -%s is visible to other users in the process list; prefer %s", name, k.Env))
			case strings.HasSuffix(key, "url") && maskURL(f.Value.String()) != f.Value.String():
				// A URL is no secret key, but the password in it is.
				l.warnings = append(l.warnings, fmt.Sprintf(
					"config: -%s holds a password, visible to other users in the process list; prefer %s", name, k.Env))
			}
		}
	}
	src := koanf.New(".")
	if err := src.Load(confmap.Provider(values, "."), nil); err != nil {
		return fmt.Errorf("config: flags: %w", err)
	}
	return l.merge(src, func(key string) string { return "-" + flagName(key) })
}

// merge checks every value of src against Config, converts it to its
// field's type and merges it over l.ko. All unknown keys and bad values of
// the layer are reported together, each error naming its key.
func (l *loader) merge(src *koanf.Koanf, source func(key string) string) error {
	flat := src.All()
	names := slices.Sorted(maps.Keys(flat))
	typed := map[string]any{}
	var errs []error
	for _, key := range names {
		v := flat[key]
		if isUnset(v) {
			continue
		}
		f, ok := l.fields[key]
		if !ok {
			if l.isSection(key) {
				errs = append(errs, fmt.Errorf("config: %s: %q is a section, not a value: give its keys under it (%s.…)", source(key), key, key))
				continue
			}
			msg := fmt.Sprintf("config: %s: unknown key %q", source(key), key)
			if near := nearest(key, slices.Collect(maps.Keys(l.fields))); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			errs = append(errs, errors.New(msg))
			continue
		}
		c, err := coerce(v, f.typ)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s (from %s): %w", key, source(key), err))
			continue
		}
		typed[key] = c
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := l.ko.Load(confmap.Provider(typed, "."), nil); err != nil {
		return fmt.Errorf("config: merge: %w", err)
	}
	return nil
}

// isUnset reports a YAML null or an empty section (`redis:` with every key
// commented out), which set nothing.
func isUnset(v any) bool {
	if v == nil {
		return true
	}
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

// lookupEnv finds name in environ; the last assignment wins, as in a shell.
func lookupEnv(environ []string, name string) (string, bool) {
	value, found := "", false
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			value, found = v, true
		}
	}
	return value, found
}

// durationFlag is a duration flag whose parse error says what a duration
// looks like, as the same mistake in the file or the environment does,
// rather than flag's bare "parse error".
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("must be a duration such as 200ms, 30s or 5m")
	}
	*d = durationFlag(v)
	return nil
}

// Get returns the value as a time.Duration, for the merge of set flags.
func (d *durationFlag) Get() any { return time.Duration(*d) }

// isSection reports whether name is the section of some keys ("redis" of
// "redis.url"), given a value of its own by mistake.
func (l *loader) isSection(name string) bool {
	for key := range l.fields {
		if strings.HasPrefix(key, name+".") {
			return true
		}
	}
	return false
}

// localBaseURL is the base_url of a server that nobody set one for: this
// machine at the port addr listens on (http://localhost:8080 for ":8080"),
// so that the links of a server tried on another port lead back to it.
// A host addr names is used as it is; an address that does not parse, or
// port 0 (any free port), gives the port 8080 of the built-in addr.
func localBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "0" || port == "" {
		return "http://localhost:8080"
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
