// Package sample makes realistic made-up articles for benchmarks and the
// load test: prose from a 3,000-word vocabulary drawn with a Zipf law, as
// words are in real text, so a feed of them is as large and compresses as
// well as a real one (100 items: about 234 KiB of RSS, about 4:1 with
// gzip). Repeated filler would compress a hundredfold and flatter every
// figure. The same seed gives the same articles.
package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// Base is the publication time of the newest sample article.
var Base = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

// Articles returns n articles, newest first, one hour apart. They are not
// prepared: IDs, slugs and URLs are left to the store and the API.
func Articles(n int, seed uint64) []*herald.Article {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := newWords(rng)
	categories := []string{"Engineering", "Field Notes", "Podcast", "Letters", "Releases"}
	tags := []string{"feeds", "rss", "atom", "caching", "http", "go", "privacy", "design", "ops", "reading"}
	authors := []herald.Author{
		{Name: "Ada Lovelace", Email: "ada@example.com"},
		{Name: "Grace Hopper", Email: "grace@example.com"},
		{Name: "Edsger Dijkstra"},
	}
	out := make([]*herald.Article, n)
	for i := range out {
		var content strings.Builder
		for p := 0; p < 5; p++ {
			content.WriteString("<p>")
			content.WriteString(w.sentence(38 + rng.IntN(27)))
			if p == 2 {
				fmt.Fprintf(&content, ` See <a href="https://example.com/notes/%d">the notes</a>.`, rng.IntN(10_000))
			}
			content.WriteString("</p>\n")
		}
		title := w.sentence(4 + rng.IntN(5))
		out[i] = &herald.Article{
			Title:       strings.TrimSuffix(title, "."),
			Summary:     w.sentence(18 + rng.IntN(10)),
			ContentHTML: content.String(),
			Authors:     []herald.Author{authors[rng.IntN(len(authors))]},
			Categories:  []string{categories[rng.IntN(len(categories))]},
			Tags:        []string{tags[rng.IntN(len(tags))], tags[rng.IntN(len(tags))]},
			Language:    "en",
			PublishedAt: Base.Add(-time.Duration(i) * time.Hour),
		}
		if out[i].Tags[0] == out[i].Tags[1] {
			out[i].Tags = out[i].Tags[:1]
		}
	}
	return out
}

type words struct {
	rng   *rand.Rand
	vocab []string
	zipf  *rand.Zipf
}

func newWords(rng *rand.Rand) *words {
	vocab := Vocabulary(rng)
	return &words{rng: rng, vocab: vocab, zipf: rand.NewZipf(rng, 1.02, 1, uint64(len(vocab)-1))}
}

// Vocabulary is 3,000 made-up words of one to three syllables drawn from
// rng, for prose that compresses like real text when its words are drawn
// with a Zipf law (here and in internal/encode's tests).
func Vocabulary(rng *rand.Rand) []string {
	syll := strings.Fields("ka ro tel an mi sto per lu vin da qua bre nor est fi gal om sem tur ple ix cha dor wen")
	vocab := make([]string, 3000)
	for i := range vocab {
		var b strings.Builder
		for k := 0; k < 1+rng.IntN(3); k++ {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		vocab[i] = b.String()
	}
	return vocab
}

// sentence is n words, capitalised, ending with a full stop.
func (w *words) sentence(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		word := w.vocab[w.zipf.Uint64()]
		if i == 0 {
			word = strings.ToUpper(word[:1]) + word[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(word)
	}
	b.WriteByte('.')
	return b.String()
}
