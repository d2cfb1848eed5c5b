package httpserver

import (
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestPrefersHTML(t *testing.T) {
	const chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	const firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		accept string
		f      herald.Format
		want   bool
	}{
		{chrome, herald.FormatRSS, true},
		{firefox, herald.FormatAtom, true},
		{chrome, herald.FormatJSON, true},
		{"", herald.FormatRSS, false},
		{"*/*", herald.FormatRSS, false},
		{"application/rss+xml, application/atom+xml;q=0.9, */*;q=0.1", herald.FormatRSS, false},
		{"text/html, */*", herald.FormatRSS, false},                       // tie: the URL is a feed's
		{"text/html, application/rss+xml", herald.FormatRSS, false},       // tie
		{"text/html;q=0.9, application/rss+xml", herald.FormatRSS, false}, // reader prefers the feed
		{"text/html, application/json;q=0.5", herald.FormatJSON, true},
		{"text/html;q=0, */*", herald.FormatRSS, false},
		{"TEXT/HTML, application/xml;q=0.5", herald.FormatRSS, true},
		{"text/*, application/*;q=0.5", herald.FormatJSON, true},
		{"text/*, application/*;q=0.5", herald.FormatAtom, false}, // text/xml matches text/* too
	}
	for _, tt := range tests {
		if got := prefersHTML(tt.accept, tt.f); got != tt.want {
			t.Errorf("prefersHTML(%q, %s)=%v, want %v", tt.accept, tt.f, got, tt.want)
		}
	}
}
