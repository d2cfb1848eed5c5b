package httpserver

import (
	"testing"
)

func TestPrefersHTML(t *testing.T) {
	const chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	const firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	// SimplePie's default (FreshRSS, WordPress): feed types first, then
	// HTML, then anything.
	const simplepie = "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.7, unknown/unknown;q=0.1, application/unknown;q=0.1, */*;q=0.1"
	tests := []struct {
		accept string
		want   bool
	}{
		{chrome, true},
		{firefox, true},
		{"", false},
		{"*/*", false},
		{simplepie, false}, // on a JSON Feed URL too: it names feed types above HTML
		{"application/rss+xml, application/atom+xml;q=0.9, */*;q=0.1", false},
		{"text/html, */*", false},                       // tie: the URL is a feed's
		{"text/html, application/rss+xml", false},       // tie, whatever the URL's format
		{"text/html;q=0.9, application/rss+xml", false}, // reader prefers a feed
		{"text/html, application/json;q=0.5", true},
		{"text/html;q=0, */*", false},
		{"TEXT/HTML, application/xml;q=0.5", true},
		{"text/*, application/*;q=0.5", false}, // text/xml matches text/* too
		{"text/html;q=0.1, application/rss+xml;q=0.05", true},
		// Weights that are not weights drop their range.
		{"text/html;q=NaN, application/rss+xml", false},
		{"text/html;q=2, application/rss+xml", false},
		{"text/html;q=1.5, application/rss+xml;q=0.5", false},
		{"text/html;q=0.5000, application/rss+xml;q=0.4", false},
		{"text/html;q=0.500, application/rss+xml;q=0.4", true},
		{"text/html;q=1., application/rss+xml;q=0.4", true},
	}
	for _, tt := range tests {
		if got := prefersHTML(tt.accept); got != tt.want {
			t.Errorf("prefersHTML(%q)=%v, want %v", tt.accept, got, tt.want)
		}
	}
}
