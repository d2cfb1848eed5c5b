package herald

import (
	"strings"
	"testing"
	"time"
)

func TestPrepareDerivesFields(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 30, 15, 999, time.UTC)
	a := &Article{Title: "  Hello, Feeds!  ", Categories: []string{"Go", " go "}}
	if err := a.Prepare("https://example.com/", now, Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if a.Slug != "hello-feeds" {
		t.Errorf("slug=%q, want %q", a.Slug, "hello-feeds")
	}
	if a.URL != "https://example.com/hello-feeds" {
		t.Errorf("url=%q, want derived from base URL and slug", a.URL)
	}
	if want := now.Truncate(time.Second); !a.PublishedAt.Equal(want) {
		t.Errorf("published_at=%v, want %v", a.PublishedAt, want)
	}
	if len(a.Categories) != 1 || a.Categories[0] != "Go" {
		t.Errorf("categories=%q, want [Go] (the duplicate dropped)", a.Categories)
	}
}

// TestPrepareRemovesUnfitCharacters: free text loses the characters no
// feed can carry, and keeps tabs and line breaks.
func TestPrepareRemovesUnfitCharacters(t *testing.T) {
	a := &Article{
		Title: "\x00 a\x00b\v", Summary: "one\r\ntwo\tthree\uffff\u0085\ufffd\u009f", ContentHTML: "<p>\x1b[31m</p>",
		Categories: []string{"Go", "b\x00"}, Authors: []Author{{Name: "A\x01da"}},
	}
	if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	got := []string{a.Title, a.Summary, a.ContentHTML, strings.Join(a.Categories, "|"), a.Authors[0].Name}
	want := []string{"ab", "one\r\ntwo\tthree", "<p>[31m</p>", "Go|b", "Ada"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestPrepareRejects(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name  string
		a     Article
		field string
	}{
		{"missing title", Article{}, "title"},
		{"blank title", Article{Title: "   "}, "title"},
		{"title of unfit characters only", Article{Title: "\u0085\ufffd"}, "title"},
		{"url with a replacement character", Article{Title: "x", URL: "https://example.com/\ufffd"}, "url"},
		{"relative url", Article{Title: "x", URL: "/posts/x"}, "url"},
		{"javascript url", Article{Title: "x", URL: "javascript:alert(1)"}, "url"},
		{"bad slug", Article{Title: "x", Slug: "Not A Slug"}, "slug"},
		{"slug with path", Article{Title: "x", Slug: "../x"}, "slug"},
		{"untitled slug", Article{Title: "!!!"}, "slug"},
		{"bad image", Article{Title: "x", Image: "img.png"}, "image"},
		{"bad language", Article{Title: "x", Language: "english language"}, "language"},
		{"author without name", Article{Title: "x", Authors: []Author{{Email: "a@example.com"}}}, "authors[0].name"},
		{"author bad email", Article{Title: "x", Authors: []Author{{Name: "A", Email: "nope"}}}, "authors[0].email"},
		{"enclosure without type", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://e.com/a.mp3"}}}, "enclosures[0].type"},
		{"enclosure negative length", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://e.com/a.mp3", Type: "audio/mpeg", Length: -1}}}, "enclosures[0].length"},
		{"long title", Article{Title: strings.Repeat("x", 1001)}, "title"},
		{"invalid utf8", Article{Title: "x", Summary: "\xff"}, "summary"},
		{"negative episode", Article{Title: "x", Episode: -1}, "episode"},
		{"negative season", Article{Title: "x", Season: -2}, "season"},
		{"unknown episode type", Article{Title: "x", EpisodeType: "teaser"}, "episode_type"},
		{"relative transcript", Article{Title: "x", TranscriptURL: "/t.vtt"}, "transcript_url"},
		{"transcript of unknown type", Article{Title: "x", TranscriptURL: "https://e.com/t.doc"}, "transcript_type"},
		{"transcript type without url", Article{Title: "x", TranscriptType: "text/vtt"}, "transcript_type"},
		{"bad transcript type", Article{Title: "x", TranscriptURL: "https://e.com/t", TranscriptType: "vtt"}, "transcript_type"},
		{"javascript chapters", Article{Title: "x", ChaptersURL: "javascript:alert(1)"}, "chapters_url"},
		{"only controls in title", Article{Title: "\x00\x01"}, "title"},
		{"control in an enclosure type", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://e.com/a.mp3", Type: "audio/mpeg\x00"}}}, "enclosures[0].type"},
		{"control in an author email", Article{Title: "x", Authors: []Author{{Name: "A", Email: "a\x00@example.com"}}}, "authors[0].email"},
		{"control in the url", Article{Title: "x", URL: "https://example.com/a\x00"}, "url"},
		{"control in the transcript type", Article{Title: "x", TranscriptURL: "https://e.com/t.vtt", TranscriptType: "text/vtt\x00"}, "transcript_type"},
		{"noncharacter in the language", Article{Title: "x", Language: "en\uffff"}, "language"},
		{"episode past 32 bits", Article{Title: "x", Episode: MaxEpisode + 1}, "episode"},
		{"season past 32 bits", Article{Title: "x", Season: MaxEpisode + 1}, "season"},
		{"url with a port past 65535", Article{Title: "x", URL: "https://example.com:99999/a"}, "url"},
		{"url with port 0", Article{Title: "x", URL: "https://example.com:0/a"}, "url"},
		{"url with credentials", Article{Title: "x", URL: "https://user:secret@example.com/a"}, "url"},
		{"image with a user name", Article{Title: "x", Image: "https://user@example.com/i.png"}, "image"},
		{"enclosure url with credentials", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://u:p@e.com/a.mp3", Type: "audio/mpeg"}}}, "enclosures[0].url"},
		{"url without a host name", Article{Title: "x", URL: "https://:443/a"}, "url"},
		{"enclosure type range", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://e.com/a.mp3", Type: "audio/*"}}}, "enclosures[0].type"},
		{"enclosure type without subtype", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://e.com/a.mp3", Type: "audio/"}}}, "enclosures[0].type"},
		{"enclosure type of two slashes", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://e.com/a.mp3", Type: "audio/mpeg/x"}}}, "enclosures[0].type"},
		{"enclosure length past 2^53", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://e.com/a.mp3", Type: "audio/mpeg", Length: MaxFeedInteger + 1}}}, "enclosures[0].length"},
		{"enclosure duration past 2^53", Article{Title: "x", Enclosures: []Enclosure{{URL: "https://e.com/a.mp3", Type: "audio/mpeg", Duration: 1<<63 - 1}}}, "enclosures[0].duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			err := a.Prepare("https://example.com", now, Limits{})
			if ErrorCode(err) != EInvalid || ErrorField(err) != tt.field {
				t.Fatalf("Prepare err=%v (field %q), want EInvalid on field %q", err, ErrorField(err), tt.field)
			}
		})
	}
}

// TestPrepareAcceptsEdgeValues: the bounds themselves, media type
// parameters and explicit ports are accepted.
func TestPrepareAcceptsEdgeValues(t *testing.T) {
	a := Article{Title: "x", URL: "https://example.com:8443/a", Image: "http://example.com:80/i.png",
		Enclosures: []Enclosure{{URL: "https://e.com/a.ogg", Type: `audio/ogg; codecs="opus"`, Length: MaxFeedInteger, Duration: MaxFeedInteger}}}
	if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
}

func TestPrepareEpisode(t *testing.T) {
	a := &Article{Title: "Ep", Episode: 3, Season: 1, EpisodeType: " Trailer ",
		TranscriptURL: "https://cdn.example.com/ep3.SRT?v=2", ChaptersURL: "https://cdn.example.com/ep3.json"}
	if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if a.EpisodeType != EpisodeTrailer {
		t.Errorf("episode_type=%q, want %q", a.EpisodeType, EpisodeTrailer)
	}
	if a.TranscriptType != "application/x-subrip" {
		t.Errorf("transcript_type=%q, want it derived from .srt", a.TranscriptType)
	}
}
