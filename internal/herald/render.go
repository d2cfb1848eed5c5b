package herald

import "time"

// Channel is the feed-level metadata a renderer needs besides the articles.
// Every field comes from configuration or the store, never from the clock,
// so the same inputs render the same bytes on every replica.
type Channel struct {
	Title       string // e.g. "Example News" or "Example News: Go"
	Description string
	SiteURL     string    // the site's home page (configured base URL)
	FeedURL     string    // absolute URL of this feed in this format (self link)
	Language    string    // BCP 47 tag, e.g. "en"
	Author      Author    // the site's default author
	Updated     time.Time // the feed's Last-Modified
	Scope       Scope
	ScopeName   string // display name of the category, tag or author
	// TTL is the refresh hint in whole minutes for RSS <ttl>; 0 omits it.
	TTL int
}

// Renderer turns articles into the exact bytes of a feed document.
// It performs no I/O and must be deterministic.
type Renderer interface {
	Render(f Format, ch Channel, articles []*Article) ([]byte, error)
}
