package render

import (
	"path"
	"strconv"
	"strings"

	"github.com/herald-feeds/herald/internal/herald"
)

// rssShow is the channel part of a podcast feed: the iTunes elements Apple
// Podcasts requires or recommends and the Podcasting 2.0 elements apps
// use most. Its fields are promoted into <channel>.
type rssShow struct {
	ITunesAuthor   *rssText        `xml:"itunes:author"`
	ITunesOwner    itunesOwner     `xml:"itunes:owner"`
	ITunesImage    itunesImage     `xml:"itunes:image"`
	ITunesCategory itunesCategory  `xml:"itunes:category"`
	ITunesExplicit string          `xml:"itunes:explicit"`
	ITunesType     string          `xml:"itunes:type,omitempty"`
	GUID           string          `xml:"podcast:guid,omitempty"`
	Locked         *podcastLocked  `xml:"podcast:locked"`
	Funding        *podcastFunding `xml:"podcast:funding"`
}

type itunesOwner struct {
	Name  *rssText `xml:"itunes:name"`
	Email string   `xml:"itunes:email"`
}

type itunesImage struct {
	Href string `xml:"href,attr"`
}

// itunesCategory nests the subcategory inside the category, as Apple
// defines it.
type itunesCategory struct {
	Text string          `xml:"text,attr"`
	Sub  *itunesCategory `xml:"itunes:category"`
}

type podcastLocked struct {
	Owner string `xml:"owner,attr,omitempty"`
	Value string `xml:",chardata"`
}

type podcastFunding struct {
	URL  string `xml:"url,attr"`
	Text string `xml:",chardata"`
}

// newRSSShow builds the show elements of c, which has a podcast.
func newRSSShow(c channel) *rssShow {
	s := c.podcast
	out := &rssShow{
		ITunesOwner:    itunesOwner{Email: s.OwnerEmail},
		ITunesImage:    itunesImage{Href: s.ImageURL},
		ITunesCategory: itunesCategory{Text: s.Category},
		ITunesExplicit: strconv.FormatBool(s.Explicit),
		ITunesType:     s.Type,
		GUID:           s.GUID,
	}
	if author := or(s.Author, c.author.Name); author != "" {
		t := newRSSText(author)
		out.ITunesAuthor = &t
	}
	if s.OwnerName != "" {
		t := newRSSText(s.OwnerName)
		out.ITunesOwner.Name = &t
	}
	if s.Subcategory != "" {
		out.ITunesCategory.Sub = &itunesCategory{Text: s.Subcategory}
	}
	locked := podcastLocked{Owner: s.OwnerEmail, Value: "no"}
	if s.Locked {
		locked.Value = "yes"
	}
	out.Locked = &locked
	if s.FundingURL != "" {
		out.Funding = &podcastFunding{URL: s.FundingURL, Text: or(s.FundingText, s.FundingURL)}
	}
	return out
}

// rssEpisode is the item part of a podcast feed, promoted into <item>.
type rssEpisode struct {
	Image       *itunesImage       `xml:"itunes:image"`
	Duration    string             `xml:"itunes:duration,omitempty"`
	Episode     int                `xml:"itunes:episode,omitempty"`
	Season      int                `xml:"itunes:season,omitempty"`
	EpisodeType string             `xml:"itunes:episodeType,omitempty"`
	Transcript  *podcastTranscript `xml:"podcast:transcript"`
	Chapters    *podcastChapters   `xml:"podcast:chapters"`
}

type podcastTranscript struct {
	URL  string `xml:"url,attr"`
	Type string `xml:"type,attr"`
}

type podcastChapters struct {
	URL  string `xml:"url,attr"`
	Type string `xml:"type,attr"`
}

// chaptersType is the media type of a Podcasting 2.0 JSON chapters file.
const chaptersType = "application/json+chapters"

// newRSSEpisode builds the episode elements of e, or nil when e has none.
func newRSSEpisode(e *entry) *rssEpisode {
	ep := &rssEpisode{Episode: e.episode, Season: e.season, EpisodeType: e.episodeType}
	if e.image != "" && appleArt(e.image) {
		ep.Image = &itunesImage{Href: e.image}
	}
	if enc, ok := rssEnclosure(e.enclosures, true); ok && enc.Duration > 0 {
		ep.Duration = strconv.FormatInt(enc.Duration, 10)
	}
	if e.transcriptURL != "" && e.transcriptTyp != "" {
		ep.Transcript = &podcastTranscript{URL: e.transcriptURL, Type: e.transcriptTyp}
	}
	if e.chaptersURL != "" {
		ep.Chapters = &podcastChapters{URL: e.chaptersURL, Type: chaptersType}
	}
	if *ep == (rssEpisode{}) {
		return nil
	}
	return ep
}

// appleFormats are the file extensions Apple Podcasts plays; the W3C
// validator warns about an enclosure of any other kind in a podcast.
var appleFormats = map[string]bool{".m4a": true, ".mp3": true, ".mov": true, ".mp4": true, ".m4v": true, ".pdf": true, ".epub": true}

// appleTypes are the media types of those formats, for enclosures whose
// URL shows no extension (a host's /play/ID address, a redirect).
var appleTypes = map[string]bool{"audio/mpeg": true, "audio/mp3": true, "audio/x-m4a": true, "audio/mp4": true, "audio/m4a": true,
	"video/quicktime": true, "video/mp4": true, "video/x-m4v": true, "application/pdf": true, "application/epub+zip": true}

// applePlays reports whether Apple Podcasts plays e: by its URL's
// extension, or when the URL has none Apple knows, by its media type.
func applePlays(e herald.Enclosure) bool {
	p, _, _ := strings.Cut(e.URL, "?")
	if appleFormats[strings.ToLower(path.Ext(p))] {
		return true
	}
	mt, _, _ := strings.Cut(e.Type, ";")
	return appleTypes[strings.ToLower(strings.TrimSpace(mt))]
}

// rssEnclosure picks the one enclosure RSS carries: the first, or in a
// podcast the first Apple Podcasts can play (so an episode offered as Ogg
// and MP3 is listed by its MP3), falling back to the first.
func rssEnclosure(list []herald.Enclosure, podcast bool) (herald.Enclosure, bool) {
	if len(list) == 0 {
		return herald.Enclosure{}, false
	}
	if podcast {
		for _, e := range list {
			if applePlays(e) {
				return e, true
			}
		}
	}
	return list[0], true
}

// appleArt reports whether an episode's image is one Apple Podcasts takes
// as its artwork (itunes:image): JPEG or PNG, as for a show's.
func appleArt(image string) bool {
	p, _, _ := strings.Cut(image, "?")
	switch strings.ToLower(path.Ext(p)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}
