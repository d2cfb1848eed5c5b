package config

import (
	_ "embed"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// defaultsYAML is the documented defaults file, the bottom layer of every Load.
//
//go:embed defaults.yaml
var defaultsYAML []byte

// secretMarker starts the doc comment of a key whose value is secret.
const secretMarker = "Secret."

// envPrefix starts the environment variable of every key.
const envPrefix = "HERALD_"

// Names of the config file's own environment variable and flag; they choose
// a layer rather than set a key.
const (
	configEnv  = "HERALD_CONFIG"
	configFlag = "config"
)

// Key describes one configuration key as defaults.yaml documents it.
type Key struct {
	Name    string // dotted key, e.g. "site.author.name"
	Env     string // environment variable, e.g. "HERALD_SITE_AUTHOR_NAME"
	Flag    string // flag name without the dash, e.g. "site.author.name" or "base-url"
	Default string // the default as written in defaults.yaml
	Doc     string // the comment above the key, lines joined by spaces
	Secret  bool   // the doc starts with "Secret."; the value is masked when printed
}

// envName is the environment variable of a key: HERALD_ and the key in upper
// case with dots turned into underscores.
func envName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// flagName is the flag of a key, without the dash: the key with underscores
// turned into dashes.
func flagName(key string) string {
	return strings.ReplaceAll(key, "_", "-")
}

// Keys lists every key of defaults.yaml in file order. The file is part of
// the binary and tests parse it, so a malformed file is a build defect and
// Keys panics on it.
func Keys() []Key {
	_, keys, err := parseDefaults()
	if err != nil {
		panic(err)
	}
	return keys
}

// parseDefaults parses defaults.yaml into its node tree (kept for Print,
// which reuses its order and comments) and its keys.
func parseDefaults() (*yaml.Node, []Key, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(defaultsYAML, &doc); err != nil {
		return nil, nil, fmt.Errorf("config: parse defaults.yaml: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("config: defaults.yaml: top level must be a mapping")
	}
	var keys []Key
	err := walkLeaves(doc.Content[0], "", func(name string, keyNode, valueNode *yaml.Node) error {
		if valueNode.Kind != yaml.ScalarNode {
			return fmt.Errorf("config: defaults.yaml: %s: value must be a scalar or a mapping", name)
		}
		d := docText(keyNode.HeadComment)
		keys = append(keys, Key{
			Name:    name,
			Env:     envName(name),
			Flag:    flagName(name),
			Default: valueNode.Value,
			Doc:     d,
			Secret:  strings.HasPrefix(d, secretMarker),
		})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &doc, keys, nil
}

// walkLeaves calls fn for every non-mapping value under m, in document
// order, with its dotted key.
func walkLeaves(m *yaml.Node, prefix string, fn func(name string, keyNode, valueNode *yaml.Node) error) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		name := prefix + k.Value
		if v.Kind == yaml.MappingNode {
			if err := walkLeaves(v, name+".", fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(name, k, v); err != nil {
			return err
		}
	}
	return nil
}

// docText turns a YAML head comment into one line of prose.
func docText(comment string) string {
	var words []string
	for line := range strings.SplitSeq(comment, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if line != "" {
			words = append(words, line)
		}
	}
	return strings.Join(words, " ")
}

// MarkdownTable renders Keys as a Markdown table (key, environment
// variable, default, description) for the README.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| Key | Environment variable | Default | Description |\n")
	b.WriteString("| --- | --- | --- | --- |\n")
	for _, k := range Keys() {
		def := "(empty)"
		if k.Default != "" {
			def = "`" + k.Default + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", k.Name, k.Env, mdEscape(def), mdEscape(k.Doc))
	}
	return b.String()
}

// mdEscape keeps a cell's text from ending the cell early.
func mdEscape(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
