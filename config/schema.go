package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

var durationType = reflect.TypeFor[time.Duration]()

// field is one leaf of Config: its dotted key, where it sits and its type.
type field struct {
	key   string
	index []int
	typ   reflect.Type
}

// schema lists the leaves of Config by their koanf tags, in field order.
// It is how the loader knows each key's type without a second list to
// keep in step with the struct.
func schema() []field {
	var out []field
	var walk func(t reflect.Type, prefix string, index []int)
	walk = func(t reflect.Type, prefix string, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("koanf")
			if tag == "" {
				continue
			}
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct && f.Type != durationType {
				walk(f.Type, prefix+tag+".", idx)
				continue
			}
			out = append(out, field{key: prefix + tag, index: idx, typ: f.Type})
		}
	}
	walk(reflect.TypeFor[Config](), "", nil)
	return out
}

// coerce converts a raw value (a YAML scalar, or the string of an
// environment variable or flag) to the Go type of its field, so that every
// layer fails the same way with a message that a person can act on.
func coerce(v any, t reflect.Type) (any, error) {
	switch {
	case t == durationType:
		switch x := v.(type) {
		case time.Duration:
			return x, nil
		case string:
			d, err := time.ParseDuration(strings.TrimSpace(x))
			if err != nil {
				return nil, fmt.Errorf("must be a duration such as 200ms, 30s or 5m, got %q", x)
			}
			return d, nil
		}
		return nil, fmt.Errorf("must be a duration such as 200ms, 30s or 5m, got %v", v)
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		n, ok := toInt(v)
		if !ok {
			return nil, fmt.Errorf("must be an integer, got %s", show(v))
		}
		if t.Kind() == reflect.Int {
			return int(n), nil
		}
		return n, nil
	case t.Kind() == reflect.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("must be true or false, got %s", show(v))
	case t.Kind() == reflect.String:
		switch x := v.(type) {
		case string:
			return x, nil
		case int, int64, uint64, float64, bool:
			// YAML reads `title: 2024` as a number; the author meant text.
			return fmt.Sprint(x), nil
		}
		return nil, fmt.Errorf("must be a single value, got %s", show(v))
	}
	return nil, fmt.Errorf("unsupported type %s", t)
}

// toInt accepts YAML integers, integral floats and decimal strings.
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err == nil && n >= math.MinInt && n <= math.MaxInt {
			return n, true
		}
	}
	return 0, false
}

// show quotes strings and prints other values as they are.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v", v)
}
