package importer

import (
	"strconv"
	"strings"
)

// ParseError is a problem found in one file. Line (1-based) and Field are
// set when the problem can be pinned to them, so that a publisher can go
// straight to the mistake.
type ParseError struct {
	Path  string
	Line  int    // 0 when unknown
	Field string // an API field name such as "published_at" or "[1].tags"; "" when none applies
	Msg   string
	Err   error // the underlying cause, if any
}

// Error formats the problem as "path:line: field: message: cause", leaving
// out the parts that are unknown.
func (e *ParseError) Error() string {
	s := e.Path
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	return s + ": " + e.describe(false)
}

// Reason is the problem without the path, "line 3: field: message: cause",
// for output that names the file already.
func (e *ParseError) Reason() string { return e.describe(true) }

func (e *ParseError) describe(withLine bool) string {
	var parts []string
	if withLine && e.Line > 0 {
		parts = append(parts, "line "+strconv.Itoa(e.Line))
	}
	for _, p := range [...]string{e.Field, e.Msg} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *ParseError) Unwrap() error { return e.Err }

// lineOf returns the 1-based line of the byte at offset in data.
func lineOf(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return 1 + strings.Count(string(data[:offset]), "\n")
}

// ArticleErrors is the error ParseFile returns for a file of several
// articles of which some could not be parsed: each is named by its index,
// and the articles returned alongside are the file's, in order, nil where
// one failed. The others are fit to import.
type ArticleErrors []ArticleError

// ArticleError is one article of a file that could not be parsed.
type ArticleError struct {
	Index int
	Err   error
}

// Unwrap gives errors.Is and errors.As every article's error.
func (e ArticleErrors) Unwrap() []error {
	errs := make([]error, len(e))
	for i, ae := range e {
		errs[i] = ae.Err
	}
	return errs
}

func (e ArticleErrors) Error() string {
	parts := make([]string, len(e))
	for i, ae := range e {
		parts[i] = ae.Err.Error()
	}
	return strings.Join(parts, "; ")
}
