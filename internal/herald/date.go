package herald

import "time"

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
