// Package jsonstrict finds what encoding/json takes from a well-formed
// document without a word (a member named twice, a member in another case
// than its field's, a member the type does not have) and names each by
// its path, the way validation errors name fields (authors[1].name). The
// write API and the importer read articles through it, so that both refuse
// the same documents with the same words.
package jsonstrict

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/herald-feeds/herald/internal/herald"
)

// jsonFrame is one object or array open while a JSON document is walked.
type jsonFrame struct {
	typ     reflect.Type // what it decodes into; nil when any member goes
	array   bool
	index   int             // arrays: the current element, -1 before the first
	name    string          // objects: the current member
	names   map[string]bool // objects: the members met so far
	nameDue bool            // objects: the next token is a member name
}

// jsonWalk follows a JSON document token by token, knowing at each token
// the path of the value it belongs to, written the way validation errors
// name fields (authors[1].name), and the Go type that value decodes into.
type jsonWalk struct {
	dec   *json.Decoder
	root  reflect.Type
	stack []*jsonFrame
}

func newJSONWalk(body []byte, into reflect.Type) *jsonWalk {
	dec := json.NewDecoder(bytes.NewReader(body))
	// Numbers as their text: as float64, one beyond its range (1e400)
	// would be an error that ends the walk before it reaches the value at
	// fault, whose path it is there to find.
	dec.UseNumber()
	return &jsonWalk{dec: dec, root: into}
}

// path is the path of the current value.
func (w *jsonWalk) path() string {
	var b strings.Builder
	for _, f := range w.stack {
		switch {
		case f.array:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.name)
		}
	}
	return b.String()
}

// valueType is the Go type the value starting now decodes into, or nil.
func (w *jsonWalk) valueType() reflect.Type {
	if len(w.stack) == 0 {
		return deref(w.root)
	}
	top := w.stack[len(w.stack)-1]
	if top.typ == nil {
		return nil
	}
	switch top.typ.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return deref(top.typ.Elem())
	case reflect.Struct:
		if f, ok := jsonField(top.typ, top.name); ok {
			return deref(f.Type)
		}
	}
	return nil
}

// deref strips pointers; a raw message or an interface takes anything.
func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == reflect.TypeFor[json.RawMessage]() || t.Kind() == reflect.Interface {
		return nil
	}
	return t
}

// jsonField finds the field of struct type t that the member name fills:
// one of t's own first, then one of an embedded struct without a name of
// its own, whose fields encoding/json promotes (a field of t shadows a
// promoted one of the same name, as it does for encoding/json).
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name && f.IsExported() {
			return f, true
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.Anonymous || f.Tag.Get("json") != "" {
			continue
		}
		if et := deref(f.Type); et != nil && et.Kind() == reflect.Struct {
			if ef, ok := jsonField(et, name); ok {
				return ef, true
			}
		}
	}
	return reflect.StructField{}, false
}

// jsonVisit is what a walk reports: a member's name (name true; the path
// then ends in that name), or the start of a value, at end, the input
// offset just past its first token.
type jsonVisit struct {
	path   func() string // the value's path, built only when asked for
	name   bool
	member string // the name, when name
	known  bool   // a member the type has (always true where the type is open)
	dup    bool   // a member named twice in its object
	end    int64
}

// maxJSONDepth is how deep a walk follows a document: encoding/json
// refuses one nested deeper than 10,000, and so no error a walk could
// find lies below it.
const maxJSONDepth = 10_000

// walk calls visit for each member name and value start, until visit
// returns false or the document ends (or is malformed: decoding reports
// that).
func (w *jsonWalk) walk(visit func(jsonVisit) bool) {
	for {
		tok, err := w.dec.Token()
		if err != nil {
			return
		}
		var top *jsonFrame
		if len(w.stack) > 0 {
			top = w.stack[len(w.stack)-1]
		}
		if top != nil && !top.array && top.nameDue {
			if tok == json.Delim('}') {
				w.pop()
				continue
			}
			name, _ := tok.(string)
			top.name, top.nameDue = name, false
			v := jsonVisit{path: w.path, name: true, member: name, known: true, dup: top.names[name], end: w.dec.InputOffset()}
			top.names[name] = true
			if top.typ != nil && top.typ.Kind() == reflect.Struct {
				_, v.known = jsonField(top.typ, name)
			}
			if !visit(v) {
				return
			}
			continue
		}
		if tok == json.Delim(']') {
			w.pop()
			continue
		}
		if top != nil && top.array {
			top.index++
		}
		if !visit(jsonVisit{path: w.path, known: true, end: w.dec.InputOffset()}) {
			return
		}
		if len(w.stack) >= maxJSONDepth && (tok == json.Delim('{') || tok == json.Delim('[')) {
			return // deeper than decoding goes: it reports that
		}
		switch tok {
		case json.Delim('{'):
			w.stack = append(w.stack, &jsonFrame{typ: w.valueType(), names: map[string]bool{}, nameDue: true})
		case json.Delim('['):
			w.stack = append(w.stack, &jsonFrame{typ: w.valueType(), array: true, index: -1})
		default:
			w.valueDone()
		}
	}
}

// pop closes the innermost object or array, which ends a value.
func (w *jsonWalk) pop() {
	w.stack = w.stack[:len(w.stack)-1]
	w.valueDone()
}

// valueDone notes that a value ended: in an object, a name comes next.
func (w *jsonWalk) valueDone() {
	if len(w.stack) > 0 {
		if top := w.stack[len(w.stack)-1]; !top.array {
			top.nameDue = true
		}
	}
}

// CheckMembers refuses, naming each by its path, what encoding/json would
// take from a well-formed body (decoded into into) without a word: a member named twice in
// one object (the last would silently win), a member name in another
// case than its field's ("Title" would set title; every field of the API
// is lower case), and a member the type does not have, which
// encoding/json reports without saying where.
func CheckMembers(body []byte, into reflect.Type) error {
	var err error
	newJSONWalk(body, into).walk(func(v jsonVisit) bool {
		if !v.name {
			return true
		}
		switch {
		case strings.ToLower(v.member) != v.member:
			p := v.path()
			err = herald.FieldError(herald.EBadRequest, p, "unknown field %q (field names are lower case)", p)
		case v.dup:
			p := v.path()
			err = herald.FieldError(herald.EBadRequest, p, "field %q is given more than once", p)
		case !v.known:
			p := v.path()
			err = herald.FieldError(herald.EBadRequest, p, "unknown field %q", p)
		}
		return err == nil
	})
	return err
}

// ValuePath returns the path of the value of body whose first token ends
// at or after offset, as encoding/json reports a type error's place, or
// "" when the walk does not reach it.
func ValuePath(body []byte, offset int64) string {
	var path string
	newJSONWalk(body, nil).walk(func(v jsonVisit) bool {
		if !v.name && v.end >= offset {
			path = v.path()
			return false
		}
		return true
	})
	return path
}
