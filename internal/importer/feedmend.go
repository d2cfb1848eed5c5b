package importer

import (
	"net/mail"
	"strings"

	"github.com/mmcdole/gofeed"

	"github.com/herald-feeds/herald/internal/herald"
)

// An existing feed is someone's published history, not a publisher's
// request: a value in it that Herald's rules refuse (an author's email,
// the feed's language) is mended when its meaning is plain, and dropped
// otherwise, rather than failing the whole article over a detail the
// importing user cannot fix at the source. Files written for Herald
// (.txt, .md, .json) are not mended: their values are the user's own,
// and the Sink refuses them with a message naming the field, as the
// write API does.

// feedAuthor is the author p stands for, and false when p names no one.
// rss says p comes from an RSS document, where gofeed reads "email
// (Name)" from <author> and <managingEditor> but leaves the comment's
// quoted pairs in the name ("Smiley :\)"); net/mail reads them. An email
// that is not a bare address (herald.ValidEmail) is read as an address
// with a name ("Ann <ann@example.com>"), else dropped; the text then
// stands in for a missing name, since RSS often gives only an address
// and the API requires a name.
func feedAuthor(p *gofeed.Person, rss bool) (herald.Author, bool) {
	if p == nil {
		return herald.Author{}, false
	}
	name, email := p.Name, strings.TrimSpace(p.Email)
	if rss && email != "" && strings.ContainsRune(name, '\\') {
		if a, err := mail.ParseAddress(email + " (" + name + ")"); err == nil && a.Name != "" {
			name = a.Name
		}
	}
	if email != "" && !herald.ValidEmail(email) {
		a, err := mail.ParseAddress(email)
		switch {
		case err == nil && herald.ValidEmail(a.Address):
			if name == "" {
				name = a.Name
			}
			email = a.Address
		default:
			if name == "" {
				name = email
			}
			email = ""
		}
	}
	if name == "" {
		name = email
	}
	if name == "" {
		return herald.Author{}, false
	}
	return herald.Author{Name: name, Email: email}, true
}

// feedLanguage is the feed's language when it is a valid language tag
// (herald.ValidLanguage), else "": the articles then inherit the site's.
// "en_US", a locale name some generators write, is read as "en-US".
func feedLanguage(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
	if s == "" || !herald.ValidLanguage(s) {
		return ""
	}
	return s
}
