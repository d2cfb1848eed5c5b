// Package herald is Herald's domain: articles and the values that describe
// them, feed scopes and formats, the interfaces the adapters implement (store,
// cache, renderer) and the one error vocabulary every layer speaks.
//
// It imports only the standard library and golang.org/x/text's Unicode
// normalization (the Go project's own extension of it, which names are put
// through so that one visible name is one scope), so that every adapter can
// depend on it and it depends on none of them.
package herald
