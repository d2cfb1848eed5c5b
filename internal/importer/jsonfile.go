package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/jsonstrict"
)

// parseJSON reads one article object or an array of them, in the shape the
// API accepts and returns. Unknown fields are an error naming the field, as
// they are in the API, so that a misspelt key is not silently lost. The
// slug is whatever the object says; when it is empty the Sink derives it
// from the title, which is just as stable across re-imports.
func parseJSON(path string, data []byte) ([]*herald.Article, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &ParseError{Path: path, Msg: "the file is empty; expected an article object or an array of them"}
	}
	if trimmed[0] != '[' {
		a, err := decodeArticle(path, data, "")
		if err != nil {
			return nil, err
		}
		return []*herald.Article{a}, nil
	}
	// Decode the array into raw elements first, so that an error inside
	// one element can name its index as well as the field.
	var raws []json.RawMessage
	if err := decodeStrict(data, &raws); err != nil {
		return nil, jsonError(path, data, "", err)
	}
	// An element that does not decode fails alone, as one that does not
	// validate does at the Sink: the others are imported.
	offsets := elementOffsets(data, raws)
	out := make([]*herald.Article, len(raws))
	var failed ArticleErrors
	for i, raw := range raws {
		a, err := decodeArticle(path, raw, index(i))
		if err != nil {
			// Line numbers must count from the whole file, not the element.
			var pe *ParseError
			if errors.As(err, &pe) && pe.Line > 0 {
				pe.Line += lineOf(data, offsets[i]) - 1
			}
			failed = append(failed, ArticleError{Index: i, Err: err})
			continue
		}
		out[i] = a
	}
	if failed != nil {
		return out, failed
	}
	return out, nil
}

// jsonArticle is the API's article shape with the two times read as text:
// its fields shadow the embedded ones of the same JSON name, so a bad date
// can be reported with its field, and a bare date (2026-03-14) is accepted
// as it is in front matter.
type jsonArticle struct {
	herald.Article
	PublishedAt string `json:"published_at"`
	UpdatedAt   string `json:"updated_at"`
}

// decodeArticle decodes one JSON object into an article; prefix names its
// place in an array ("[2]") for error messages.
func decodeArticle(path string, data []byte, prefix string) (*herald.Article, error) {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] != '{' {
		return nil, &ParseError{Path: path, Field: prefix, Line: lineOf(data, int64(len(data)-len(t))), Msg: "expected an article object"}
	}
	var ja jsonArticle
	if err := decodeStrict(data, &ja); err != nil {
		return nil, jsonError(path, data, prefix, err)
	}
	a := ja.Article
	for _, d := range [...]struct {
		field string
		text  string
		dst   *time.Time
	}{{"published_at", ja.PublishedAt, &a.PublishedAt}, {"updated_at", ja.UpdatedAt, &a.UpdatedAt}} {
		if d.text == "" {
			continue
		}
		t, err := parseDate(d.text)
		if err != nil {
			return nil, &ParseError{Path: path, Field: joinField(prefix, d.field), Msg: err.Error()}
		}
		// The zero time (year 1) stands for "no date" from here on: taken
		// as given, it would become the time of the import. The API
		// refuses it, as it does any year outside the range.
		if y := t.UTC().Year(); t.IsZero() || y < herald.MinYear || y > herald.MaxYear {
			return nil, &ParseError{Path: path, Field: joinField(prefix, d.field),
				Msg: fmt.Sprintf("%s must fall in the years %d to %d (UTC), got %q", d.field, herald.MinYear, herald.MaxYear, d.text)}
		}
		*d.dst = t
	}
	return &a, nil
}

// joinField names a field inside an array element: "[1].tags".
func joinField(prefix, field string) string {
	if prefix == "" || field == "" {
		return prefix + field
	}
	return prefix + "." + field
}

// decodeStrict decodes exactly one JSON value as the write API does:
// refusing unknown fields, a field given twice or in another case than
// its own (jsonstrict; encoding/json would take "Title" for title, and the
// last of two), and anything after the value.
func decodeStrict(data []byte, v any) error {
	// An array's elements are checked one by one (decodeArticle), so
	// that one with a bad member fails alone.
	if _, raw := v.(*[]json.RawMessage); !raw {
		if err := jsonstrict.CheckMembers(data, reflect.TypeOf(v)); err != nil {
			return err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// jsonError turns an encoding/json error into a *ParseError with the line
// (within data) and field where the decoder can tell them.
func jsonError(path string, data []byte, prefix string, err error) error {
	pe := &ParseError{Path: path, Field: prefix}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case herald.ErrorField(err) != "":
		// jsonstrict's: the message names the field already; an unknown
		// one of the article itself is answered with the ones it has.
		field := herald.ErrorField(err)
		pe.Field = joinField(prefix, field)
		pe.Msg = herald.ErrorMessage(err)
		if strings.HasPrefix(pe.Msg, "unknown field") && !strings.ContainsAny(field, ".[") {
			pe.Msg += " (an article has " + strings.Join(articleFields(), ", ") + ")"
		}
	case errors.As(err, &syn):
		pe.Line = lineOf(data, syn.Offset)
		pe.Msg = "invalid JSON: " + syn.Error()
	case errors.As(err, &typ):
		pe.Line = lineOf(data, typ.Offset)
		// The path goes through the embedded struct of jsonArticle, which
		// is no part of the API's shape.
		pe.Field = joinField(prefix, strings.TrimPrefix(typ.Field, "Article."))
		pe.Msg = fmt.Sprintf("got a JSON %s, want %s", typ.Value, jsonKind(typ.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json offers no typed error for unknown fields; the field
		// name is the quoted rest of the message.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		pe.Field = joinField(prefix, name)
		pe.Msg = "unknown field (an article has " + strings.Join(articleFields(), ", ") + ")"
	case errors.Is(err, io.ErrUnexpectedEOF):
		pe.Msg = "invalid JSON: the file ends in the middle of a value"
	default:
		pe.Msg = err.Error()
	}
	return pe
}

// articleFields lists the JSON names of herald.Article's fields in their
// order, read from the struct so that a field added to the API is named by
// the error that rejects a misspelling of it.
func articleFields() []string {
	t := reflect.TypeFor[herald.Article]()
	names := make([]string, 0, t.NumField())
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// elementOffsets finds where each raw element of a decoded array starts in
// data. json.RawMessage keeps the exact bytes, so each element is found by
// searching forward from the end of the previous one.
func elementOffsets(data []byte, raws []json.RawMessage) []int64 {
	out := make([]int64, len(raws))
	var pos int64
	for i, raw := range raws {
		if j := bytes.Index(data[pos:], raw); j >= 0 {
			out[i] = pos + int64(j)
			pos += int64(j + len(raw))
		}
	}
	return out
}

// jsonKind names a Go type the way the API documentation does.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}
