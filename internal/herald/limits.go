package herald

import (
	"strconv"
	"unicode/utf8"
)

// checkLengths bounds every name and URL of a before anything else looks
// at them, so that no later step (slugging, parsing, storing, rendering)
// works on a megabyte-long category or link. Lists are counted
// separately; authors and enclosures beyond their bound are not
// inspected, category and tag names all are.
func (lim Limits) checkLengths(a *Article) error {
	long := func(field, what string, n int) error {
		return FieldError(EInvalid, field, "%s is longer than %d %s", field, n, what)
	}
	for _, u := range [...]struct{ field, v string }{{"url", a.URL}, {"image", a.Image}, {"language", a.Language}} {
		if len(u.v) > lim.URLLength {
			return long(u.field, "bytes", lim.URLLength)
		}
	}
	for _, list := range [...]struct {
		field string
		names []string
	}{{"categories", a.Categories}, {"tags", a.Tags}} {
		// Every name, not the first max: repeats are dropped before
		// the list is counted (cleanNames), so any of them may be kept.
		for i, n := range list.names {
			if utf8.RuneCountInString(n) > lim.NameLength {
				return long(list.field+"["+strconv.Itoa(i)+"]", "characters", lim.NameLength)
			}
		}
	}
	for i, au := range a.Authors {
		if i >= lim.Authors {
			break
		}
		f := "authors[" + strconv.Itoa(i) + "]"
		if utf8.RuneCountInString(au.Name) > lim.NameLength {
			return long(f+".name", "characters", lim.NameLength)
		}
		if len(au.Email) > lim.URLLength {
			return long(f+".email", "bytes", lim.URLLength)
		}
		if len(au.URL) > lim.URLLength {
			return long(f+".url", "bytes", lim.URLLength)
		}
	}
	for i, e := range a.Enclosures {
		if i >= lim.Enclosures {
			break
		}
		f := "enclosures[" + strconv.Itoa(i) + "]"
		if len(e.URL) > lim.URLLength {
			return long(f+".url", "bytes", lim.URLLength)
		}
		if len(e.Type) > lim.URLLength {
			return long(f+".type", "bytes", lim.URLLength)
		}
	}
	return nil
}
