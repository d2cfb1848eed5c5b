// Package render turns a channel's metadata and its articles into the exact
// bytes of an RSS 2.0, Atom 1.0 or JSON Feed 1.1 document.
//
// It builds on github.com/gorilla/feeds without forking it: our document
// types embed gorilla's exported structs and add, beside them, what those
// structs cannot say (several authors and categories per item, Dublin Core
// creators, the Atom self link inside RSS, JSON Feed 1.1 attachments and
// languages, …). encoding/xml and encoding/json then marshal the result; a
// field of ours shadows the embedded field with the same element or key
// name, so gorilla's single-valued field stays silent.
//
// Rendering is pure and deterministic: no clock, no random ids, no map
// iteration, times in UTC to the second. The same inputs give the same bytes
// on every replica, which is what makes strong ETags shareable.
//
// Text conventions: Article.Summary and titles are plain text,
// Article.ContentHTML is HTML. Every string is stripped of characters XML
// cannot carry before it is written, in every format, so the three formats
// say the same thing.
package render
