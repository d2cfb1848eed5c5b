package herald

import (
	"math"
	"path"
	"strings"
)

// MaxEpisode bounds episode and season numbers: what a 32-bit integer
// column, as in the PostgreSQL schema, holds.
const MaxEpisode = math.MaxInt32

// The episode types Apple Podcasts and the podcast namespace know.
const (
	EpisodeFull    = "full"
	EpisodeTrailer = "trailer"
	EpisodeBonus   = "bonus"
)

// transcriptTypes maps the file extensions of common transcript formats to
// the MIME type the Podcasting 2.0 transcript element names them by.
var transcriptTypes = map[string]string{
	".vtt":  "text/vtt",
	".srt":  "application/x-subrip",
	".json": "application/json",
	".html": "text/html",
	".htm":  "text/html",
	".txt":  "text/plain",
}

// DerivedTranscriptType is the type Prepare gives a transcript at u when
// the publisher gave none: by its extension, "" for one it does not know.
func DerivedTranscriptType(u string) string {
	return transcriptTypes[strings.ToLower(path.Ext(urlPath(u)))]
}

// prepareEpisode checks the optional episode fields. A transcript's type
// is derived from its URL's extension when the publisher gave none, because
// podcast apps need it to pick a parser.
func (a *Article) prepareEpisode() error {
	a.EpisodeType = strings.ToLower(strings.TrimSpace(a.EpisodeType))
	a.TranscriptURL = strings.TrimSpace(a.TranscriptURL)
	a.TranscriptType = strings.TrimSpace(a.TranscriptType)
	a.ChaptersURL = strings.TrimSpace(a.ChaptersURL)
	if a.Episode < 0 || a.Episode > MaxEpisode {
		return FieldError(EInvalid, "episode", "episode must be a whole number from 1 to %d (0 for none), got %d", MaxEpisode, a.Episode)
	}
	if a.Season < 0 || a.Season > MaxEpisode {
		return FieldError(EInvalid, "season", "season must be a whole number from 1 to %d (0 for none), got %d", MaxEpisode, a.Season)
	}
	switch a.EpisodeType {
	case "", EpisodeFull, EpisodeTrailer, EpisodeBonus:
	default:
		return FieldError(EInvalid, "episode_type", "episode_type must be full, trailer or bonus, got %q", a.EpisodeType)
	}
	if a.TranscriptURL == "" {
		if a.TranscriptType != "" {
			return FieldError(EInvalid, "transcript_type", "transcript_type needs a transcript_url")
		}
	} else {
		if err := prepareURL("transcript_url", &a.TranscriptURL, 0); err != nil {
			return err
		}
		if a.TranscriptType == "" {
			a.TranscriptType = DerivedTranscriptType(a.TranscriptURL)
			if a.TranscriptType == "" {
				return FieldError(EInvalid, "transcript_type", "transcript_type is required when the transcript URL does not end in .vtt, .srt, .json, .html or .txt")
			}
		} else if !validMIME(a.TranscriptType) {
			return FieldError(EInvalid, "transcript_type", "transcript_type must be a MIME type such as \"text/vtt\", got %q", a.TranscriptType)
		}
	}
	if a.ChaptersURL != "" {
		if err := prepareURL("chapters_url", &a.ChaptersURL, 0); err != nil {
			return err
		}
	}
	return nil
}

// urlPath is the path part of an already checked absolute URL.
func urlPath(raw string) string {
	raw, _, _ = strings.Cut(raw, "#")
	raw, _, _ = strings.Cut(raw, "?")
	return raw
}

// validMIME accepts the type/subtype shape without spaces.
func validMIME(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	return ok && typ != "" && sub != "" && !strings.ContainsAny(s, " \t\r\n,\"")
}
