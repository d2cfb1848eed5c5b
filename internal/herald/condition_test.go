package herald

import (
	"net/http"
	"testing"
	"time"
)

func TestConditionNotModified(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	lastMod := now.Add(-time.Hour)
	etag := `"abc123"`
	date := func(t time.Time) string { return t.Format(http.TimeFormat) }
	tests := []struct {
		name     string
		inm, ims string
		want     bool
		wantNil  bool
	}{
		{name: "no headers", wantNil: true},
		{name: "exact etag", inm: `"abc123"`, want: true},
		{name: "weak form of our etag", inm: `W/"abc123"`, want: true},
		{name: "list containing etag", inm: `"x", "y,z", "abc123"`, want: true},
		{name: "list without etag", inm: `"x", "y"`, want: false},
		{name: "star", inm: `*`, want: true},
		{name: "star with spaces", inm: " * ", want: true},
		{name: "star is the wildcard only as the whole value", inm: `*bogus`, want: false},
		{name: "a star in a list is no wildcard", inm: `"x", *`, want: false},
		{name: "unquoted etag tolerated", inm: `abc123`, want: true},
		{name: "comma inside quoted tag is not a separator", inm: `"abc123,"`, want: false},
		{name: "inm decides over a matching ims", inm: `"other"`, ims: date(now), want: false},
		{name: "ims equal to last-modified", ims: date(lastMod), want: true},
		{name: "ims later than last-modified", ims: date(lastMod.Add(time.Minute)), want: true},
		{name: "ims earlier than last-modified", ims: date(lastMod.Add(-time.Second)), want: false},
		{name: "made-up epoch date", ims: "Thu, 01 Jan 1970 00:00:00 GMT", want: false},
		{name: "date in the future is ignored", ims: date(now.Add(24 * time.Hour)), want: false},
		{name: "rfc850 date", ims: lastMod.Format("Monday, 02-Jan-06 15:04:05 GMT"), want: true},
		{name: "garbage date", ims: "yesterday", wantNil: true},
		{name: "gzip variant's etag", inm: `"abc123-gzip"`, want: true},
		{name: "brotli variant's etag, weak", inm: `W/"abc123-br"`, want: true},
		{name: "zstd variant's etag in a list", inm: `"x", "abc123-zstd"`, want: true},
		{name: "unquoted variant etag", inm: `abc123-gzip`, want: true},
		{name: "unknown coding suffix", inm: `"abc123-deflate"`, want: false},
		{name: "suffix stripped once only", inm: `"abc123-gzip-gzip"`, want: false},
		{name: "a bare suffix is not our etag", inm: `"-gzip"`, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ParseCondition(tt.inm, tt.ims)
			if (c == nil) != tt.wantNil {
				t.Fatalf("ParseCondition(%q, %q) nil=%v, want nil=%v", tt.inm, tt.ims, c == nil, tt.wantNil)
			}
			if got := c.NotModified(etag, lastMod, now); got != tt.want {
				t.Fatalf("NotModified=%v, want %v (condition %+v)", got, tt.want, c)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Go & Rust: 2026":     "go-rust-2026",
		"  Hello   World  ":   "hello-world",
		"Café Crème":          "café-crème",
		"---":                 "",
		"Already-a-slug":      "already-a-slug",
		"../etc/passwd":       "etc-passwd",
		"Ünïcödé_underscores": "ünïcödé-underscores",
	}
	for in, want := range tests {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q)=%q, want %q", in, got, want)
		}
	}
}

func TestScopeKeyRoundTrip(t *testing.T) {
	for _, s := range []Scope{SiteScope, {ScopeCategory, "go"}, {ScopeTag, "feeds-2026"}, {ScopeAuthor, "ada-lovelace"}} {
		got, err := ParseScopeKey(s.Key())
		if err != nil || got != s {
			t.Fatalf("ParseScopeKey(%q)=%v, %v; want %v", s.Key(), got, err, s)
		}
	}
	for _, bad := range []string{"", "category", "category:", "planet:x"} {
		if _, err := ParseScopeKey(bad); err == nil {
			t.Errorf("ParseScopeKey(%q) succeeded, want an error", bad)
		}
	}
}

func TestArticleScopes(t *testing.T) {
	a := &Article{
		Categories: []string{"Go", "go", "Feeds"},
		Tags:       []string{"RSS"},
		Authors:    []Author{{Name: "Ada Lovelace"}},
	}
	got := a.Scopes()
	want := []Scope{SiteScope, {ScopeCategory, "go"}, {ScopeCategory, "feeds"}, {ScopeTag, "rss"}, {ScopeAuthor, "ada-lovelace"}}
	if len(got) != len(want) {
		t.Fatalf("Scopes()=%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Scopes()[%d]=%v, want %v", i, got[i], want[i])
		}
	}
}

// TestConditionParseAllocatesNothing: a pooled Condition parses and
// matches a poll's headers, variant tags included, without allocating.
func TestConditionParseAllocatesNothing(t *testing.T) {
	var c Condition
	now := time.Now()
	for _, inm := range []string{`"abc123"`, `"x", W/"abc123-gzip"`, `"nope-br"`} {
		c.Parse(inm, "") // warm: grows ETags once
		n := testing.AllocsPerRun(100, func() {
			if !c.Parse(inm, "") {
				t.Fatalf("Parse(%q) found no condition", inm)
			}
			c.NotModified(`"abc123"`, now, now)
		})
		if n != 0 {
			t.Fatalf("Parse+NotModified(%q) allocates %v times, want 0", inm, n)
		}
	}
}

func TestPreconditionHolds(t *testing.T) {
	etag := `"abc"`
	lm := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	before, after := lm.Add(-time.Second).Format(http.TimeFormat), lm.Add(time.Second).Format(http.TimeFormat)
	tests := []struct {
		name         string
		ifMatch, ius string
		lastModified time.Time
		want         bool
	}{
		{"neither", "", "", lm, true},
		{"if-match the tag", `"abc"`, "", lm, true},
		{"if-match a coding's tag", `"abc-br"`, "", lm, true},
		{"if-match another coding's suffix", `"abc-rot13"`, "", lm, false},
		{"if-match star", "*", "", lm, true},
		{"if-match star in a list", `"abd", *`, "", lm, false},
		{"if-match star and more", `*x`, "", lm, false},
		{"if-match weak", `W/"abc"`, "", lm, false},
		{"if-match other", `"abd"`, "", lm, false},
		{"if-match only commas", " , ", "", lm, false},
		{"if-match decides, ius ignored", `"abc"`, before, lm, true},
		{"ius after", "", after, lm, true},
		{"ius at", "", lm.Format(http.TimeFormat), lm.Add(500 * time.Millisecond), true},
		{"ius before", "", before, lm, false},
		{"ius invalid", "", "yesterday", lm, true},
		{"ius, no modification time", "", before, time.Time{}, true},
	}
	for _, tt := range tests {
		if got := PreconditionHolds(tt.ifMatch, tt.ius, etag, tt.lastModified); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEchoTag(t *testing.T) {
	id := `"abc"`
	for _, tt := range []struct {
		inm, selected, want string
		ok                  bool
	}{
		{`"abc-br"`, `"abc-gzip"`, `"abc-br"`, true},
		{`W/"abc"`, `"abc-gzip"`, `"abc"`, true},
		{`"abc-br", "abc-gzip"`, `"abc-gzip"`, "", false},
		{`"zzz", "abc-zstd"`, `"abc"`, `"abc-zstd"`, true},
		{`*`, `"abc"`, "", false},
	} {
		c := ParseCondition(tt.inm, "")
		if got, ok := c.EchoTag([]byte(tt.selected), id); got != tt.want || ok != tt.ok {
			t.Errorf("If-None-Match %s, selected %s: %q %v, want %q %v", tt.inm, tt.selected, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := ParseCondition("", "Thu, 01 Jan 1970 00:00:00 GMT").EchoTag([]byte(id), id); ok {
		t.Error("a date condition echoed a tag")
	}
}
