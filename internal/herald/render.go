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
	// Paging holds the RFC 5005 links of a feed split into pages; nil for
	// a feed that is written without them.
	Paging *Paging
	// Podcast is the show metadata when the scope is a category configured
	// as a podcast; nil otherwise.
	Podcast *Show
	// Hubs are the WebSub hubs a subscriber may subscribe at, with FeedURL
	// as the topic (rel="hub" links; JSON Feed's hubs). Only documents
	// whose changes Herald notifies the hubs of carry them.
	Hubs []string
}

// Paging is where one page of a feed sits among the others (RFC 5005).
// Empty URLs are left out. Which document is "first" and "last" is the
// service's decision; renderers write what they are given.
type Paging struct {
	First, Last, Next, Previous string // paged-feed navigation (section 3)
	Current                     string // the subscription document (section 4)
	PrevArchive, NextArchive    string // neighbouring archive documents
	// Archive marks a document whose set of entries no longer changes when
	// articles are published (fh:archive).
	Archive bool
	// Older and Newer are the pages a person reading this document in a
	// browser goes to for the articles just older or newer than those it
	// shows ("" for none). They differ from Next and Previous where those
	// lead to the same articles again: the subscription document's Next is
	// the newest full page, which holds exactly the articles it shows when
	// the total is a multiple of the limit.
	Older, Newer string
}

// Show is a podcast show: a category whose feeds carry the metadata
// podcast directories and apps need (Apple Podcasts' itunes: elements and
// the Podcasting 2.0 podcast: elements).
type Show struct {
	Title       string // the show's name; the category's feed title
	Description string
	ImageURL    string // square artwork, 1400 to 3000 pixels, JPEG or PNG
	Category    string // an Apple Podcasts category, e.g. "Technology"
	Subcategory string // optional, within Category, e.g. "Tech News"
	Explicit    bool
	Author      string // the person or network behind the show
	OwnerName   string // contact for directories, not shown to listeners
	OwnerEmail  string
	Type        string // "episodic" (newest first) or "serial" (in order)
	Language    string // overrides the site's language when set
	GUID        string // podcast:guid, a UUID that follows the show across hosts
	Locked      bool   // podcast:locked: other platforms must not import the feed
	FundingURL  string // podcast:funding
	FundingText string
}

// Renderer turns articles into the exact bytes of a feed document.
// It performs no I/O and must be deterministic.
type Renderer interface {
	Render(f Format, ch Channel, articles []*Article) ([]byte, error)
}
