package herald

import (
	"errors"
	"fmt"
)

// Code is the kind of an error, in the one vocabulary every layer speaks.
// The HTTP layer maps each code to one status.
type Code string

// The error codes.
const (
	EBadRequest       Code = "bad_request"                // malformed request: JSON syntax, unknown field, wrong type, bad parameter (400)
	EInvalid          Code = "invalid"                    // well-formed but semantically invalid input (422)
	ENotFound         Code = "not_found"                  // no such article or scope (404)
	EMethodNotAllowed Code = "method_not_allowed"         // the resource exists but does not answer this method; Allow lists those it does (405)
	EPrecondition     Code = "precondition_failed"        // If-Match names a version the article no longer has (412)
	EConflict         Code = "conflict"                   // uniqueness violated, e.g. a slug already taken (409)
	ETooLarge         Code = "too_large"                  // request body over the configured limit (413)
	EUnauthorized     Code = "unauthorized"               // missing or wrong credentials (401)
	EForbidden        Code = "forbidden"                  // the operation is switched off or not allowed (403)
	EUnavailable      Code = "unavailable"                // a dependency is down; try again later (503)
	ERateLimited      Code = "rate_limited"               // the client asks too often; try again after Retry-After (429)
	ENotImplemented   Code = "not_implemented"            // a request method this server does not know (501)
	EHTTPVersion      Code = "http_version_not_supported" // a request of another major HTTP version than 1 (505)
	EInternal         Code = "internal"                   // a bug or unexpected failure; details are logged, not sent (500)
)

// Error is an error with a code, a message safe to show to the client, and
// optionally the name of the input field at fault. Err, when set, carries
// the underlying cause for logs.
type Error struct {
	Code    Code
	Message string
	Field   string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an *Error about one input field.
func FieldError(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the client-safe message of err: the message of its
// *Error, or a generic text for anything else so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field named by err's *Error, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// IsNotFound reports whether err has code ENotFound.
func IsNotFound(err error) bool { return ErrorCode(err) == ENotFound }
