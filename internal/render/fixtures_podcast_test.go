package render

import (
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// testShow is a fully configured podcast show.
func testShow() *herald.Show {
	return &herald.Show{
		Title:       "Field Recordings",
		Description: "Conversations about the small web & the people who keep it going.",
		ImageURL:    "https://news.example.com/img/field-recordings-3000.jpg",
		Category:    "Technology",
		Subcategory: "",
		Explicit:    false,
		Author:      "Example News Audio",
		OwnerName:   "Zoë O'Brien",
		OwnerEmail:  "podcast@example.com",
		Type:        "serial",
		Language:    "en",
		GUID:        "917393e3-1b1e-5cef-ace4-edaa54e1f810",
		Locked:      true,
		FundingURL:  "https://news.example.com/support",
		FundingText: "Support the show",
	}
}

// showChannel is the feed channel of the category "Podcast" configured as
// testShow, for format f.
func showChannel(f herald.Format) herald.Channel {
	show := testShow()
	return herald.Channel{
		Title:       show.Title,
		Description: show.Description,
		SiteURL:     "https://news.example.com/",
		FeedURL:     "https://news.example.com/categories/podcast/feed." + string(f),
		Language:    "en",
		Author:      herald.Author{Name: "The Editors", Email: "editors@example.com"},
		Updated:     day.Add(3 * time.Hour),
		Scope:       herald.Scope{Kind: herald.ScopeCategory, Slug: "podcast"},
		ScopeName:   "Podcast",
		TTL:         60,
		Podcast:     show,
	}
}

// showArticles are episodes: one with every episode field, a bonus
// episode with two hosts, and a trailer with no audio yet.
func showArticles() []*herald.Article {
	return []*herald.Article{
		{
			ID:          "2b1e9c3a-7d4f-4e6a-9b8c-0d1e2f3a4b5c",
			Slug:        "episode-2",
			Title:       "Ça marche: feeds, fetchers & “politeness”",
			URL:         "https://news.example.com/episode-2",
			Summary:     "How a reader should poll <politely> — ETags, 304s & back-off.",
			ContentHTML: `<p>Links from the show: <a href="https://news.example.com/notes/etags">ETags explained</a> &amp; more.</p><p><img src="https://news.example.com/img/ep2-map.png" alt="A map"/></p>`,
			Authors:     []herald.Author{{Name: "Zoë O'Brien", Email: "zoe@example.com"}},
			Categories:  []string{"Podcast"},
			Tags:        []string{"HTTP"},
			Image:       "https://news.example.com/img/ep2-3000.jpg",
			Enclosures: []herald.Enclosure{
				{URL: "https://cdn.example.com/ep2.ogg", Type: "audio/ogg", Length: 31457280, Duration: 2712},
				{URL: "https://cdn.example.com/ep2.mp3", Type: "audio/mpeg", Length: 43515904, Duration: 2712},
			},
			PublishedAt:    day.Add(2 * time.Hour),
			UpdatedAt:      day.Add(2*time.Hour + 5*time.Minute),
			Episode:        2,
			Season:         1,
			EpisodeType:    herald.EpisodeFull,
			TranscriptURL:  "https://cdn.example.com/ep2.vtt",
			TranscriptType: "text/vtt",
			ChaptersURL:    "https://cdn.example.com/ep2.chapters.json",
		},
		{
			ID:          "3c2f0d4b-8e5a-4f7b-8c9d-1e2f3a4b5c6d",
			Slug:        "bonus-mailbag",
			Title:       "Bonus: the mailbag",
			URL:         "https://news.example.com/bonus-mailbag",
			Summary:     "Listeners' questions, answered by both hosts.",
			Authors:     []herald.Author{{Name: "Zoë O'Brien", Email: "zoe@example.com"}, {Name: "Émile Zola"}},
			Categories:  []string{"Podcast"},
			Enclosures:  []herald.Enclosure{{URL: "https://cdn.example.com/mailbag.m4a", Type: "audio/x-m4a", Length: 9437184, Duration: 600}},
			PublishedAt: day.Add(time.Hour),
			Season:      1,
			EpisodeType: herald.EpisodeBonus,
		},
		{
			ID:          "4d3a1e5c-9f6b-4a8c-9daf-2f3a4b5c6d7e",
			Slug:        "trailer",
			Title:       "Trailer",
			URL:         "https://news.example.com/trailer",
			Categories:  []string{"Podcast"},
			PublishedAt: day,
			EpisodeType: herald.EpisodeTrailer,
		},
	}
}

// pagedChannel is the site feed's page 2 of 3 for format f, an archive.
// onlyArchiveChannel is page 1 of a feed whose page 2 is not full: the
// one archive, which has no other archive to link.
func onlyArchiveChannel(f herald.Format) herald.Channel {
	ch := siteChannel(f)
	base := "https://news.example.com/feed." + string(f)
	ch.FeedURL = base + "?page=1"
	ch.Paging = &herald.Paging{
		First:    base,
		Last:     base + "?page=1",
		Previous: base + "?page=2",
		Current:  base,
		Archive:  true,
	}
	return ch
}

func pagedChannel(f herald.Format) herald.Channel {
	ch := siteChannel(f)
	base := "https://news.example.com/feed." + string(f)
	ch.FeedURL = base + "?page=2"
	ch.Paging = &herald.Paging{
		First:       base,
		Last:        base + "?page=1",
		Next:        base + "?page=1",
		Previous:    base + "?page=3",
		Current:     base,
		PrevArchive: base + "?page=1",
		Archive:     true,
	}
	return ch
}
