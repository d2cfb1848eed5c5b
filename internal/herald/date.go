package herald

import (
	"fmt"
	"strings"
	"time"
)

// The years an article's dates may fall in, in UTC. Every feed format
// writes a year with exactly four digits (RFC 3339 has no other form, and
// the RFC 822 dates of RSS take four since RFC 1123), which sets the end at
// 9999. The start is 1000, the first year that needs no leading zero,
// because readers parse an RFC 822 year as a number and take a small one
// for a short year: Python's email.utils reads "Sat, 01 Jan 0050" as 2050
// and V8's Date.parse as 1950, both read 0000 as 2000, and a parser that
// follows RFC 5322's rule for obsolete three-digit years adds 1900 to
// 0100-0999. Year 0000 is in any case more often a stand-in for "no date"
// than a date. Years before 1970 stay welcome: archives republish old
// pieces with their dates.
const (
	MinYear = 1000
	MaxYear = 9999
)

// CheckDate refuses a date whose year in UTC lies outside MinYear to
// MaxYear, naming field. The zero time (not given) passes.
func CheckDate(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		return FieldError(EInvalid, field, "%s must fall in the years %d to %d (UTC), got %s", field, MinYear, MaxYear, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// ParseTime parses an RFC 3339 date-time, as the write API and the
// importer take one. RFC 3339 lets the "T" between date and time and the
// "Z" of UTC be written in lower case (section 5.6, the note under the
// ABNF), which time.RFC3339 does not accept; nothing else a date-time may
// hold is a letter, so upper-casing those two changes no valid date and
// makes no invalid one valid. time.Parse takes any two digits as the hours
// and minutes of an offset, while time-numoffset allows 00-23 and 00-59,
// so "+24:00" is refused rather than read as a day.
func ParseTime(s string) (time.Time, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case 't':
			return 'T'
		case 'z':
			return 'Z'
		}
		return r
	}, s)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, err
	}
	// Parsed, so a date not in Z ends in [+-]HH:MM.
	if off := s[len(s)-6:]; s[len(s)-1] != 'Z' && (off[1:3] > "23" || off[4:6] > "59") {
		return time.Time{}, fmt.Errorf("offset %s out of range", off)
	}
	return t, nil
}
