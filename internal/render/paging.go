package render

import "github.com/herald-feeds/herald/internal/herald"

// link is one RFC 5005 link: a relation and where it points.
type link struct{ rel, href string }

// pagingLinks lists p's links in a fixed order, leaving out empty ones.
func pagingLinks(p *herald.Paging) []link {
	if p == nil {
		return nil
	}
	all := [...]link{
		{"first", p.First}, {"previous", p.Previous}, {"next", p.Next}, {"last", p.Last},
		{"current", p.Current}, {"prev-archive", p.PrevArchive}, {"next-archive", p.NextArchive},
	}
	out := make([]link, 0, len(all))
	for _, l := range all {
		if l.href != "" {
			out = append(out, l)
		}
	}
	return out
}

// feedID identifies the feed rather than the document: every page of a
// paged feed is part of the one feed whose subscription document is
// Paging.Current (Paging.First on that document itself), so the Atom id
// and JSON Feed's feed_url name that, while the self link names the page.
func (c *channel) feedID() string {
	if c.paging != nil {
		return or(c.paging.Current, or(c.paging.First, c.feedURL))
	}
	return c.feedURL
}
