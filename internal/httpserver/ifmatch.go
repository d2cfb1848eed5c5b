package httpserver

import (
	"context"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// An article's entity tag is its row version (herald.VersionCheck), a
// strong tag: "1234". Every write gives the article a version no row ever
// had, so a tag names one state of one article.

// setArticleETag sends version as the response's ETag.
func setArticleETag(c *fiber.Ctx, version int64) {
	if version > 0 {
		c.Set(fiber.HeaderETag, articleTag(version))
	}
}

// articleTag is the entity tag of an article at version.
func articleTag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch is a request's If-Match header (RFC 9110, 13.1.1), and its
// If-Unmodified-Since (13.1.4), which counts only without If-Match.
type ifMatch struct {
	present bool
	any     bool    // "*": any current version
	tags    []int64 // the versions its strong tags name
	// unmodifiedSince is a valid If-Unmodified-Since date, zero when the
	// request has none, has If-Match, or sent one that is not a date
	// (which the RFC says to ignore).
	unmodifiedSince time.Time
}

// readIfMatch parses If-Match, all its lines. Weak tags and tags that name
// no version of ours are kept out: If-Match compares strongly, so they
// can never match. Without If-Match, If-Unmodified-Since is read.
func readIfMatch(c *fiber.Ctx) ifMatch {
	m := parseIfMatch(c)
	if !m.present {
		if t, err := http.ParseTime(c.Get(fiber.HeaderIfUnmodifiedSince)); err == nil {
			m.unmodifiedSince = t
		}
	}
	return m
}

func parseIfMatch(c *fiber.Ctx) ifMatch {
	var m ifMatch
	list := headerList(c, fiber.HeaderIfMatch)
	if strings.TrimSpace(list) == "*" {
		// The wildcard is the whole value only (RFC 9110, 13.1.1): a "*"
		// among tags is an element that names no version.
		return ifMatch{present: true, any: true}
	}
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m.present = true
		if tag, ok := strings.CutPrefix(part, `"`); ok {
			if tag, ok = strings.CutSuffix(tag, `"`); ok {
				// Strong comparison is of the octets: "+0610" is not the
				// tag "610" Herald sends.
				if v, err := strconv.ParseInt(tag, 10, 64); err == nil && v > 0 && strconv.FormatInt(v, 10) == tag {
					m.tags = append(m.tags, v)
				}
			}
		}
	}
	return m
}

// conditional reports whether m asks anything of the article.
func (m ifMatch) conditional() bool { return m.present || !m.unmodifiedSince.IsZero() }

// holds reports whether the article, at version and last changed at
// updated, satisfies m: If-Match names the version, or, without it, the
// article has not changed since If-Unmodified-Since (compared in whole
// seconds, the precision of an HTTP date).
func (m ifMatch) holds(version int64, updated time.Time) bool {
	if m.present {
		return m.any || slices.Contains(m.tags, version)
	}
	return m.unmodifiedSince.IsZero() || !updated.Truncate(time.Second).After(m.unmodifiedSince)
}

// failed maps a write's error under m: with If-Match, an article that does
// not exist fails the precondition (RFC 9110, 13.1.1) rather than being a
// 404.
func (m ifMatch) failed(err error) error {
	if m.present && herald.IsNotFound(err) {
		return herald.Errorf(herald.EPrecondition, "If-Match names a version, but the article does not exist")
	}
	return err
}

// errPrecondition is the 412 of an article that does not satisfy m.
func (m ifMatch) errPrecondition(id string) error {
	if !m.present {
		return herald.Errorf(herald.EPrecondition, "article %s changed after the If-Unmodified-Since date; GET it for its current version", id)
	}
	return herald.Errorf(herald.EPrecondition, "article %s is not at a version If-Match names; GET it for its current ETag", id)
}

// readIfNoneMatch parses If-None-Match, all its lines (RFC 9110,
// 13.1.2); nil when the request has none.
func readIfNoneMatch(c *fiber.Ctx) *herald.Condition {
	return herald.ParseCondition(headerList(c, fiber.HeaderIfNoneMatch), "")
}

// namesVersion reports whether If-None-Match cond names the article at
// version: "*" (any current article) or one of the version's tags, weak
// or strong, since If-None-Match compares weakly. A GET is then answered
// 304, and a write is refused with 412 (RFC 9110, 13.1.2).
func namesVersion(cond *herald.Condition, version int64) bool {
	// Exactly the tag sent: an article has no codings, so a feed's
	// coding suffix ("-gzip") names nothing here.
	return cond != nil && (cond.AnyETag || slices.Contains(cond.ETags, articleTag(version)))
}

func errNoneMatch(id string) error {
	return herald.Errorf(herald.EPrecondition, "article %s exists at a version If-None-Match names", id)
}

// directWrite is the version check of a write that need not read the
// article first (ok): nothing without preconditions, or the one version a
// single If-Match tag names, which the store checks inside the write. An
// If-Match that names no version of ours fails at once. Any other
// precondition is evaluated against the version writeAt reads.
func directWrite(m ifMatch, none *herald.Condition, id string) (vc *herald.VersionCheck, ok bool, err error) {
	switch {
	case !m.conditional() && none == nil:
		return &herald.VersionCheck{}, true, nil
	case m.present && !m.any && len(m.tags) == 0:
		return nil, false, m.errPrecondition(id)
	case m.present && !m.any && len(m.tags) == 1 && none == nil:
		return &herald.VersionCheck{Expect: m.tags[0]}, true, nil
	}
	return nil, false, nil
}

// writeAt reads the article id, evaluates If-Match (or
// If-Unmodified-Since) m and If-None-Match none against the version read,
// and when they hold runs write with that version expected (vc): the
// write lands only if no other write came in between, so it never lands
// on a version the preconditions were not evaluated against. When one did
// come in between, the preconditions are evaluated again against the
// newer version and write runs again, up to writeAttempts times: a
// precondition that holds for any version ("*", none at all) or for the
// newer one (a list naming it, a date it was not changed after) is not
// failed by a concurrent write, while one that named only the replaced
// version fails with 412. It returns write's version check.
func (s *Server) writeAt(ctx context.Context, id string, m ifMatch, none *herald.Condition, write func(current *herald.Article, vc *herald.VersionCheck) error) (*herald.VersionCheck, error) {
	for attempt := 1; ; attempt++ {
		read := &herald.VersionCheck{}
		current, err := s.articles.Get(herald.WithVersionCheck(ctx, read), id)
		if err != nil {
			return nil, m.failed(err)
		}
		if !m.holds(read.Version, current.UpdatedAt) {
			return nil, m.errPrecondition(id)
		}
		if namesVersion(none, read.Version) {
			return nil, errNoneMatch(id)
		}
		vc := &herald.VersionCheck{Expect: read.Version}
		err = write(current, vc)
		if herald.ErrorCode(err) != herald.EPrecondition {
			if err != nil {
				return nil, m.failed(err)
			}
			return vc, nil
		}
		if !m.present && !m.unmodifiedSince.IsZero() {
			// A date in whole seconds cannot tell the write that came in
			// between from the one the client saw, if both fell in the
			// second it names: written again, this one could overwrite a
			// change the client never read. Refused, as before.
			return nil, m.errPrecondition(id)
		}
		if attempt >= writeAttempts {
			return nil, herald.Errorf(herald.EConflict, "article %s changed %d times while this write was applied; send it again", id, attempt)
		}
		// Another write came in between: write again after a pause of
		// random length, so that writes that collided do not collide
		// again at once.
		pause := time.NewTimer(time.Duration(rand.Int64N(int64(attempt) * int64(time.Millisecond))))
		select {
		case <-pause.C:
		case <-ctx.Done():
			pause.Stop()
			return nil, herald.Errorf(herald.EUnavailable, "the request ran out of time while other writes kept changing article %s; send it again", id)
		}
	}
}
