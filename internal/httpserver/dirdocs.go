package httpserver

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/service"
)

// The documents made from the feed directory: the index page and the
// OPML file.
const (
	docIndex = iota
	docOPML
	dirDocCount
)

// dirDocs keeps the last index page and OPML file made, each with the
// directory version it was made at (service.DirectoryVersion), so that
// the requests until the next write, or the next scheduled article, send
// the same bytes without listing every scope and making the document
// again: on a site of thousands of categories, tags and authors that is
// most of a second each time.
type dirDocs struct {
	mu   sync.Mutex
	docs [dirDocCount]dirDoc
}

type dirDoc struct {
	made      bool
	version   service.DirectoryVersion
	doc       *document
	confirmed time.Time // when doc was last known to be current
}

// directoryDoc returns document which of the directory at its current
// version: the one kept, with the codings made of it so far, or one that
// build makes from a fresh listing and that is then kept. The version is read before the listing, so a
// document is never kept under a later version than it shows: a write in
// between only makes the next request build it again.
func (s *Server) directoryDoc(ctx context.Context, which int, build func([]service.FeedInfo) ([]byte, error)) (*document, error) {
	v, err := s.feeds.DirectoryVersion(ctx)
	if err != nil {
		return s.staleDirectoryDoc(which, err)
	}
	s.dirDocs.mu.Lock()
	kept := &s.dirDocs.docs[which]
	if kept.made && kept.version.Same(v) {
		kept.confirmed = s.now()
		d := kept.doc
		s.dirDocs.mu.Unlock()
		return d, nil
	}
	s.dirDocs.mu.Unlock()
	dir, err := s.feeds.Directory(ctx)
	if err != nil {
		return nil, err
	}
	body, err := build(dir)
	if err != nil {
		return nil, err
	}
	d := newDocument(body)
	d.due = v.Due // a scheduled article's scope joins the directory then
	s.dirDocs.mu.Lock()
	s.dirDocs.docs[which] = dirDoc{made: true, version: v, doc: d, confirmed: s.now()}
	s.dirDocs.mu.Unlock()
	return d, nil
}

// staleDirectoryDoc answers a directory document whose version the store
// could not tell (err) as the feeds do (stale-if-error): with the kept
// one, if it was known to be current within feed.max_stale, since the
// list of feeds is worth more to a reader than a 503; else with err.
func (s *Server) staleDirectoryDoc(which int, err error) (*document, error) {
	switch herald.ErrorCode(err) {
	case herald.EUnavailable, herald.EInternal:
	default:
		return nil, err
	}
	s.dirDocs.mu.Lock()
	kept := s.dirDocs.docs[which]
	s.dirDocs.mu.Unlock()
	age := s.now().Sub(kept.confirmed)
	if !kept.made || age >= s.feeds.StaleFor() {
		return nil, err
	}
	s.staleDocLog.Log(s.log, slog.LevelWarn, s.now(), "store failed; serving the last good index or OPML", "age", age.Round(time.Second), "err", err)
	return kept.doc, nil
}
