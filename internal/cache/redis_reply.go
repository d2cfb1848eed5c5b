package cache

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// The stored ctype field of an entry is its content type followed by
// marks, each after a line feed: "archive" for an archive page, "due=" and
// Unix seconds for an entry's Due. They travel in that field so that the
// scripts and their replies keep their shape; a line feed never occurs in
// a media type.
const (
	archiveMark = "archive"
	dueMark     = "due="
)

// storedType is the ctype field stored for e.
func storedType(e herald.Entry) string {
	s := e.ContentType
	if e.Archive {
		s += "\n" + archiveMark
	}
	if !e.Due.IsZero() {
		s += "\n" + dueMark + strconv.FormatInt(e.Due.Unix(), 10)
	}
	return s
}

// readStoredType is storedType's inverse: it sets e's content type and
// what the marks say. A mark it does not know is passed over.
func readStoredType(e *herald.Entry, stored string) {
	ctype, marks, _ := strings.Cut(stored, "\n")
	e.ContentType = ctype
	for marks != "" {
		var mark string
		mark, marks, _ = strings.Cut(marks, "\n")
		switch {
		case mark == archiveMark:
			e.Archive = true
		case strings.HasPrefix(mark, dueMark):
			if sec, err := strconv.ParseInt(mark[len(dueMark):], 10, 64); err == nil {
				e.Due = time.Unix(sec, 0).UTC()
			}
		}
	}
}

// Condition modes understood by scripts/get.lua.
const (
	modeNone = "none"
	modeINM  = "inm"
	modeIMS  = "ims"
)

// Hash fields of an entry's bytes, and the "want" argument of get.lua that
// asks for the body and every variant at once.
const (
	fieldBody = "body"
	fieldAll  = "all"
)

// codingField maps a coding to the hash field holding its bytes.
func codingField(c herald.Coding) string {
	switch c {
	case herald.CodingGzip:
		return "gz"
	case herald.CodingBrotli:
		return "br"
	case herald.CodingZstd:
		return "zst"
	}
	return fieldBody
}

// getArgs builds ARGV for scripts/get.lua: the token to mint, the revision
// TTL, the field(s) a hit returns, then the request's condition in the form
// the script evaluates.
func getArgs(fresh string, revisionTTL time.Duration, want string, cond *herald.Condition, now time.Time) []any {
	base := []any{fresh, revisionTTL.Milliseconds(), want}
	switch {
	case cond == nil:
		return append(base, modeNone)
	case cond.HasIfNoneMatch:
		if cond.AnyETag {
			return append(base, modeINM, "*")
		}
		args := make([]any, 0, len(base)+1+len(cond.ETags))
		args = append(append(args, base...), modeINM)
		for _, t := range cond.ETags {
			// The script compares identity tags: a variant's tag
			// revalidates the rendering it was made from.
			args = append(args, herald.StripCodingSuffix(t))
		}
		return args
	case !cond.ModifiedSince.IsZero():
		return append(base, modeIMS, cond.ModifiedSince.Unix(), now.Unix())
	}
	return append(base, modeNone)
}

// parseGetReply decodes the reply of scripts/get.lua into a Lookup and
// whether the script found the condition satisfied.
func parseGetReply(reply []any) (l herald.Lookup, notModified bool, err error) {
	if len(reply) == 0 {
		return l, false, errors.New("empty script reply")
	}
	rev, ok := reply[0].(string)
	if !ok {
		return l, false, fmt.Errorf("revision is %T, want string", reply[0])
	}
	l.Revision = rev
	if len(reply) == 1 {
		return l, false, nil
	}
	if len(reply) < 7 {
		return l, false, fmt.Errorf("script reply has %d fields, want 1, or 7 and more", len(reply))
	}
	flag, ok1 := reply[1].(int64)
	etag, ok2 := reply[2].(string)
	secs, ok3 := reply[3].(string)
	nanos, ok4 := reply[4].(string)
	ctype, ok5 := reply[5].(string)
	pttl, ok6 := reply[6].(int64)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return l, false, fmt.Errorf("malformed entry fields %v", reply[1:7])
	}
	if pttl > 0 { // -1: no expiry (never set so), -2: gone meanwhile
		l.TTL = time.Duration(pttl) * time.Millisecond
	}
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return l, false, fmt.Errorf("lastmod: %w", err)
	}
	nsec, err := strconv.ParseInt(nanos, 10, 64)
	if err != nil {
		return l, false, fmt.Errorf("lmns: %w", err)
	}
	l.Hit = true
	l.Entry = herald.Entry{
		ETag:         etag,
		LastModified: time.Unix(sec, nsec).UTC(),
	}
	readStoredType(&l.Entry, ctype)
	notModified = flag == 1
	if notModified {
		return l, true, nil
	}
	fields := reply[7:]
	if len(fields) == 0 || len(fields)%2 != 0 {
		return herald.Lookup{}, false, fmt.Errorf("script reply has %d byte fields, want pairs", len(fields))
	}
	for i := 0; i < len(fields); i += 2 {
		name, ok1 := fields[i].(string)
		b, ok2 := fields[i+1].(string)
		if !ok1 || !ok2 {
			return herald.Lookup{}, false, fmt.Errorf("byte field %d is %T %T, want strings", i/2, fields[i], fields[i+1])
		}
		switch name {
		case fieldBody:
			l.Entry.Body = []byte(b)
		case "gz":
			l.Entry.Variants.Gzip = []byte(b)
		case "br":
			l.Entry.Variants.Brotli = []byte(b)
		case "zst":
			l.Entry.Variants.Zstd = []byte(b)
		default:
			return herald.Lookup{}, false, fmt.Errorf("unknown byte field %q", name)
		}
	}
	return l, false, nil
}
