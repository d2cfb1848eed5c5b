package httpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/jsonstrict"
)

// articleInput is the API's JSON shape of an article as a publisher sends
// it. Dates are strings so that a bad one is reported with its field name
// instead of as an anonymous parse error.
type articleInput struct {
	ID          string             `json:"id"`
	Slug        string             `json:"slug"`
	Title       string             `json:"title"`
	URL         string             `json:"url"`
	Summary     string             `json:"summary"`
	ContentHTML string             `json:"content_html"`
	Authors     []herald.Author    `json:"authors"`
	Categories  []string           `json:"categories"`
	Tags        []string           `json:"tags"`
	Language    string             `json:"language"`
	Image       string             `json:"image"`
	Enclosures  []herald.Enclosure `json:"enclosures"`
	PublishedAt *string            `json:"published_at"`
	UpdatedAt   *string            `json:"updated_at"` // accepted for round trips, always set by the server

	Episode        int    `json:"episode"`
	Season         int    `json:"season"`
	EpisodeType    string `json:"episode_type"`
	TranscriptURL  string `json:"transcript_url"`
	TranscriptType string `json:"transcript_type"`
	ChaptersURL    string `json:"chapters_url"`
}

// article converts the input into a domain article, parsing its dates.
func (in *articleInput) article() (*herald.Article, error) {
	a := &herald.Article{
		ID: in.ID, Slug: in.Slug, Title: in.Title, URL: in.URL, Summary: in.Summary,
		ContentHTML: in.ContentHTML, Authors: in.Authors, Categories: in.Categories, Tags: in.Tags,
		Language: in.Language, Image: in.Image, Enclosures: in.Enclosures,
		Episode: in.Episode, Season: in.Season, EpisodeType: in.EpisodeType,
		TranscriptURL: in.TranscriptURL, TranscriptType: in.TranscriptType, ChaptersURL: in.ChaptersURL,
	}
	if in.PublishedAt != nil && *in.PublishedAt != "" {
		t, err := inputDate("published_at", *in.PublishedAt)
		if err != nil {
			return nil, err
		}
		a.PublishedAt = t
	}
	if in.UpdatedAt != nil && *in.UpdatedAt != "" {
		if _, err := inputDate("updated_at", *in.UpdatedAt); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// inputDate parses the date-time s the client gave in field and checks
// that it lies in the years feeds can carry (herald.CheckDate). That is
// checked here as well as in Prepare because 0001-01-01T00:00:00Z is the
// zero time, which Prepare takes for "not given".
func inputDate(field, s string) (time.Time, error) {
	t, err := parseDate(s)
	if err != nil {
		return time.Time{}, herald.FieldError(herald.EInvalid, field, "%s must be an RFC 3339 date-time such as \"2026-11-25T09:30:00Z\", got %q", field, s)
	}
	if err := herald.CheckDate(field, t); err != nil || t.IsZero() {
		return time.Time{}, herald.FieldError(herald.EInvalid, field, "%s must fall in the years %d to %d (UTC), got %q", field, herald.MinYear, herald.MaxYear, s)
	}
	return t, nil
}

// parseDate parses an RFC 3339 date-time (herald.ParseTime).
func parseDate(s string) (time.Time, error) { return herald.ParseTime(s) }

// articleOutput is the API's JSON shape of a stored article: lists are
// never null, times are RFC 3339 in UTC.
func articleOutput(a *herald.Article) *herald.Article {
	out := a.Clone()
	if out.Authors == nil {
		out.Authors = []herald.Author{}
	}
	if out.Categories == nil {
		out.Categories = []string{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.Enclosures == nil {
		out.Enclosures = []herald.Enclosure{}
	}
	out.PublishedAt = out.PublishedAt.UTC()
	out.UpdatedAt = out.UpdatedAt.UTC()
	return out
}

// decodeStrict decodes one JSON value from body into v, rejecting unknown
// fields, wrong types, trailing data and invalid UTF-8, each with an
// EBadRequest error that names the field when there is one.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return herald.Errorf(herald.EBadRequest, "request body is empty: send a JSON object")
	}
	if !utf8.Valid(body) {
		return herald.Errorf(herald.EBadRequest, "request body is not valid UTF-8")
	}
	// Members first: an unknown, repeated or mis-cased one is named by
	// its path (authors[1].nmae), which encoding/json does not give.
	if err := jsonstrict.CheckMembers(body, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return herald.Errorf(herald.EBadRequest, "request body holds data after the JSON value")
	}
	return nil
}

// jsonError turns an encoding/json error about body into a client-facing
// one.
func jsonError(body []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return herald.Errorf(herald.EBadRequest, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		// encoding/json names a field inside a list without its index
		// (enclosures.length); the walk finds which (enclosures[1].length).
		if p := jsonstrict.ValuePath(body, typ.Offset); p != "" && stripIndexes(p) == field {
			field = p
		}
		if field == "" {
			return herald.Errorf(herald.EBadRequest, "request body must be %s, got %s", jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return herald.FieldError(herald.EBadRequest, field, "%s must be %s, got %s", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return herald.Errorf(herald.EBadRequest, "malformed JSON: the body ends in the middle of a value")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return herald.FieldError(herald.EBadRequest, field, "unknown field %q", field)
	}
	return herald.Errorf(herald.EBadRequest, "malformed JSON: %v", err)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	case "ptr":
		return "a string or null"
	case "float32", "float64":
		return "a number"
	}
	return "a whole number within range"
}

// mergePatch applies an RFC 7396 JSON merge patch to the stored article's
// JSON form: members set to null return to their default, others replace.
// The result is decoded strictly, so a patch is checked exactly like a
// full document. A value the server derived follows what it was derived
// from, as it would have had the client sent the whole article: a url
// that is the one derived from the slug goes when the patch changes the
// slug (and is derived again, from the new one), and a transcript_type
// that is the one derived from transcript_url goes when the patch changes
// that URL. A patch naming the derived field itself decides it.
func mergePatch(current *herald.Article, patch []byte, baseURL string) (*articleInput, error) {
	var members map[string]json.RawMessage
	if err := decodeStrict(patch, &members); err != nil {
		return nil, err
	}
	if members == nil {
		// null: RFC 7396 would replace the whole article with it.
		return nil, herald.Errorf(herald.EBadRequest, "a merge patch must be a JSON object, got null")
	}
	base, err := json.Marshal(articleOutput(current))
	if err != nil {
		return nil, fmt.Errorf("patch: encode current article: %w", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("patch: decode current article: %w", err)
	}
	_, urlNamed := members["url"]
	if slug, ok := members["slug"]; ok && !urlNamed && current.URL == herald.DerivedURL(baseURL, current.Slug) && !sameJSONString(slug, current.Slug) {
		delete(doc, "url")
	}
	_, typeNamed := members["transcript_type"]
	if tu, ok := members["transcript_url"]; ok && !typeNamed && current.TranscriptType == herald.DerivedTranscriptType(current.TranscriptURL) && !sameJSONString(tu, current.TranscriptURL) {
		delete(doc, "transcript_type")
	}
	for k, v := range members {
		if _, known := doc[k]; !known {
			return nil, herald.FieldError(herald.EBadRequest, k, "unknown field %q", k)
		}
		if string(bytes.TrimSpace(v)) == "null" {
			delete(doc, k)
			continue
		}
		doc[k] = v
	}
	merged, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("patch: encode merged article: %w", err)
	}
	var in articleInput
	if err := decodeStrict(merged, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// sameJSONString reports whether raw, a JSON value, is the string s.
func sameJSONString(raw json.RawMessage, s string) bool {
	var v string
	return json.Unmarshal(raw, &v) == nil && v == s
}

// stripIndexes removes the [i] steps of a path, leaving the form
// encoding/json names fields in.
func stripIndexes(path string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '[')
		if i < 0 {
			return b.String() + path
		}
		b.WriteString(path[:i])
		j := strings.IndexByte(path[i:], ']')
		if j < 0 {
			return b.String()
		}
		path = path[i+j+1:]
	}
}
