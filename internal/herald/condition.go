package herald

import (
	"net/http"
	"strings"
	"time"
)

// Condition is a GET or HEAD request's preconditions, parsed once from its
// If-None-Match and If-Modified-Since headers (RFC 9110, section 13).
type Condition struct {
	// HasIfNoneMatch is set when the request carried If-None-Match; it then
	// decides alone and If-Modified-Since is ignored.
	HasIfNoneMatch bool
	// AnyETag is set for "If-None-Match: *".
	AnyETag bool
	// ETags are the listed entity tags in their quoted form with any weak
	// prefix removed, since If-None-Match uses the weak comparison. A tag
	// with a content-coding suffix (VariantETag) matches the identity tag
	// it was made from: every coding of one rendering revalidates it.
	ETags []string
	// ModifiedSince is the If-Modified-Since date, zero when absent or not
	// a valid HTTP date.
	ModifiedSince time.Time
}

// ParseCondition parses the two headers. It returns nil when neither
// carries a usable precondition, so callers can skip the check entirely.
func ParseCondition(ifNoneMatch, ifModifiedSince string) *Condition {
	c := &Condition{}
	if !c.Parse(ifNoneMatch, ifModifiedSince) {
		return nil
	}
	return c
}

// Parse is ParseCondition into c, reusing its ETags storage, so that a
// server can keep Conditions in a pool and parse without allocating. It
// reports whether there is a usable precondition; c's strings may share
// the memory of the header values passed in.
func (c *Condition) Parse(ifNoneMatch, ifModifiedSince string) bool {
	*c = Condition{ETags: c.ETags[:0]}
	if strings.TrimSpace(ifNoneMatch) != "" {
		c.HasIfNoneMatch = true
		c.AnyETag, c.ETags = parseETagList(ifNoneMatch, c.ETags)
		return true
	}
	if ifModifiedSince != "" {
		if t, err := http.ParseTime(strings.TrimSpace(ifModifiedSince)); err == nil {
			c.ModifiedSince = t.UTC()
			return true
		}
	}
	return false
}

// NotModified reports whether a representation with this strong etag and
// lastModified satisfies the condition, i.e. whether the answer is 304.
//
// If-None-Match matches when it is "*" or lists etag under the weak
// comparison. Otherwise If-Modified-Since matches when the representation
// has not changed since that date; a date later than now is invalid and
// ignored (RFC 9110, 13.1.3), as is any date when the representation has
// no modification time, so only a real, exact or later validator the
// server once sent yields a 304, never a made-up date in the future.
func (c *Condition) NotModified(etag string, lastModified, now time.Time) bool {
	if c == nil {
		return false
	}
	if c.HasIfNoneMatch {
		if c.AnyETag {
			return true
		}
		opaque := strings.TrimPrefix(etag, "W/")
		for _, t := range c.ETags {
			if t == opaque || isVariantOf(t, opaque) {
				return true
			}
		}
		return false
	}
	if c.ModifiedSince.IsZero() || c.ModifiedSince.After(now) || lastModified.IsZero() {
		return false
	}
	return !lastModified.Truncate(time.Second).After(c.ModifiedSince)
}

// EchoTag is the entity tag a 304 for this condition should carry, given
// the tag of the coding the 200 would have used (selected) and the
// rendering's identity tag. A cache refreshes the stored responses whose
// tag the 304 carries (RFC 9111, 4.3.4): when If-None-Match did not list
// selected but matched through another coding's tag, that tag is the one
// the client holds, and ok is true with it. Otherwise ok is false and
// selected is right.
func (c *Condition) EchoTag(selected []byte, identity string) (tag string, ok bool) {
	if c == nil || !c.HasIfNoneMatch || c.AnyETag {
		return "", false
	}
	for _, t := range c.ETags {
		if t == string(selected) {
			return "", false
		}
	}
	for _, t := range c.ETags {
		if t == identity || isVariantOf(t, identity) {
			return t, true
		}
	}
	return "", false
}

// PreconditionHolds evaluates a GET or HEAD request's If-Match and
// If-Unmodified-Since against a representation with this strong etag and
// lastModified (RFC 9110, 13.1.1, 13.1.4 and 13.2.2): an origin server
// evaluates them before If-None-Match, and answers 412 when they fail.
//
// If-Match holds for "*" (the whole value, as for If-None-Match) or a listed strong tag equal to etag or to the
// tag of one of its codings (VariantETag): each coding of one rendering is
// that one state of the feed. Weak tags never match, since If-Match
// compares strongly. Without If-Match, If-Unmodified-Since holds unless
// the representation changed after that date; an invalid date, or a
// representation without a modification time, leaves it out.
func PreconditionHolds(ifMatch, ifUnmodifiedSince, etag string, lastModified time.Time) bool {
	if strings.TrimSpace(ifMatch) != "" {
		if isWildcard(ifMatch) {
			return true
		}
		for part := range strings.SplitSeq(ifMatch, ",") {
			tag := strings.TrimSpace(part)
			if tag != "" && !strings.HasPrefix(tag, "W/") && (tag == etag || isVariantOf(tag, etag)) {
				return true
			}
		}
		return false
	}
	if ifUnmodifiedSince == "" || lastModified.IsZero() {
		return true
	}
	t, err := http.ParseTime(strings.TrimSpace(ifUnmodifiedSince))
	return err != nil || !lastModified.Truncate(time.Second).After(t)
}

// parseETagList splits an If-None-Match value into entity tags. It follows
// the grammar (quoted tags may contain commas) but tolerates the unquoted
// tags some clients send by keeping them as they are, quoted, so they can
// still match. "*" is the wildcard only as the whole value (RFC 9110,
// 13.1.2): "*bogus" or a list holding a "*" is a list of tags none of
// Herald's match, never a 304 for a client that may hold nothing.
func parseETagList(v string, tags []string) (anyTag bool, _ []string) {
	if isWildcard(v) {
		return true, tags
	}
	for {
		v = strings.TrimLeft(v, " \t,")
		if v == "" {
			return false, tags
		}
		v = strings.TrimPrefix(v, "W/")
		if strings.HasPrefix(v, `"`) {
			end := strings.IndexByte(v[1:], '"')
			if end < 0 { // unterminated: take the rest
				tags = append(tags, v+`"`)
				return anyTag, tags
			}
			tags = append(tags, v[:end+2])
			v = v[end+2:]
			continue
		}
		end := strings.IndexAny(v, ", \t")
		if end < 0 {
			end = len(v)
		}
		tags = append(tags, `"`+v[:end]+`"`)
		v = v[end:]
	}
}

// isWildcard reports whether a precondition header's value is "*", the
// only form the wildcard takes (RFC 9110, 13.1.1 and 13.1.2).
func isWildcard(v string) bool { return strings.Trim(v, " \t") == "*" }
