package config

import (
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// mask replaces every secret in printed output.
const mask = "****"

// passwordParam matches a password given as a URL query parameter
// (postgres://…?password=…) or a key=value DSN field.
var passwordParam = regexp.MustCompile(`(?i)((?:^|[?&;\s])(?:password|pass|pwd|sslpassword)=)([^&;\s]*)`)

// Print writes the effective configuration as YAML in the layout of
// defaults.yaml, doc comments included, so the output is itself a valid
// config file. Secret keys and the passwords inside URLs are masked.
func (c *Config) Print(w io.Writer) error {
	doc, keys, err := parseDefaults()
	if err != nil {
		return err
	}
	secret := map[string]bool{}
	for _, k := range keys {
		secret[k.Name] = k.Secret
	}
	values := map[string]reflect.Value{}
	root := reflect.ValueOf(c).Elem()
	for _, f := range schema() {
		values[f.key] = root.FieldByIndex(f.index)
	}

	doc.HeadComment = "# Herald's effective configuration; secrets are masked as " + mask + "."
	err = walkLeaves(doc.Content[0], "", func(name string, _, node *yaml.Node) error {
		v, ok := values[name]
		if !ok {
			return fmt.Errorf("config: print: no field for key %q", name)
		}
		setScalar(node, v, secret[name])
		return nil
	})
	if err != nil {
		return err
	}

	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("config: print: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config: print: %w", err)
	}
	return nil
}

// setScalar writes v into node in the form defaults.yaml uses for it.
func setScalar(node *yaml.Node, v reflect.Value, secret bool) {
	switch {
	case v.Type() == durationType:
		node.Tag, node.Style = "!!str", yaml.DoubleQuotedStyle
		node.Value = formatDuration(time.Duration(v.Int()))
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		node.Tag, node.Style = "!!int", 0
		node.Value = strconv.FormatInt(v.Int(), 10)
	case v.Kind() == reflect.Bool:
		node.Tag, node.Style = "!!bool", 0
		node.Value = strconv.FormatBool(v.Bool())
	default:
		s := v.String()
		if secret && s != "" {
			s = mask
		}
		node.Tag, node.Style = "!!str", yaml.DoubleQuotedStyle
		node.Value = maskURL(s)
	}
}

// formatDuration writes d as a person would: 5m rather than 5m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// userPassword locates the password of s's user info, s[start:end]; ok
// is false when s has none. The last @ ends the user info even when the
// password holds an unescaped @ or /.
func userPassword(s string) (start, end int, ok bool) {
	i := strings.Index(s, "://")
	if i < 0 {
		return 0, 0, false
	}
	rest := s[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return 0, 0, false
	}
	colon := strings.Index(rest[:at], ":")
	if colon < 0 {
		return 0, 0, false
	}
	return i + 3 + colon + 1, i + 3 + at, true
}

// urlPasswords lists the passwords the URL s carries, as written: its
// user info's and every password parameter's, where maskURL hides them.
func urlPasswords(s string) []string {
	var out []string
	if start, end, ok := userPassword(s); ok {
		out = append(out, s[start:end])
	}
	for _, m := range passwordParam.FindAllStringSubmatch(s, -1) {
		out = append(out, m[2])
	}
	return out
}

// maskURL hides the password of a URL's user info and any password
// parameter. It errs on the side of hiding: an unusual URL may lose more
// than its password, but never keeps it.
func maskURL(s string) string {
	if start, end, ok := userPassword(s); ok {
		s = s[:start] + mask + s[end:]
	}
	return passwordParam.ReplaceAllString(s, "${1}"+mask)
}

// maskedURL reports whether a URL carries the mask where maskURL would
// hide a password (its user info, a password parameter): a URL copied
// from `herald config` output, whose real password is lost.
func maskedURL(s string) bool {
	return slices.ContainsFunc(urlPasswords(s), masked)
}
