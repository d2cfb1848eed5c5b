package herald

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// cleanName cleans a name as free text (cleanText), trims it and puts it
// in normalization form C. Form C can take more characters than the name
// came with (a few letters have no precomposed form and decompose), so its
// length is checked again here.
func cleanName(field string, v *string, maxLength int) error {
	if err := cleanText(field, v); err != nil {
		return err
	}
	*v = norm.NFC.String(strings.TrimSpace(*v))
	if utf8.RuneCountInString(*v) > maxLength {
		return FieldError(EInvalid, field, "%s is longer than %d characters", field, maxLength)
	}
	return nil
}

// cleanNames cleans a list of category or tag names (field is the list,
// one names an entry in messages). An empty name, even one that was only
// spaces or characters feeds cannot carry, is refused rather than dropped:
// the client meant something there, and "tags":[null] or [""] is more
// likely a bug on its side than a wish.
func cleanNames(field, one string, names []string, max, nameLength int) ([]string, error) {
	// The bound is on the names kept: a repeated one is dropped, not
	// counted. (The body limit bounds how many the list may hold.)
	out := make([]string, 0, min(len(names), max))
	seen := map[string]bool{}
	for i, n := range names {
		at := field + "[" + strconv.Itoa(i) + "]"
		if err := cleanName(at, &n, nameLength); err != nil {
			return nil, err
		}
		if n == "" {
			return nil, FieldError(EInvalid, at, "%s is empty: give the %s a name or leave it out of the list", at, one)
		}
		slug := Slugify(n)
		if slug == "" {
			return nil, FieldError(EInvalid, at, "%q has no letters or digits", n)
		}
		if seen[slug] {
			continue
		}
		if len(out) == max {
			return nil, FieldError(EInvalid, field, "at most %d %s (counting names with different slugs)", max, field)
		}
		seen[slug] = true
		out = append(out, n)
	}
	return out, nil
}
