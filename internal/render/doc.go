// Package render turns a channel's metadata and its articles into the exact
// bytes of an RSS 2.0, Atom 1.0 or JSON Feed 1.1 document.
//
// It builds on github.com/gorilla/feeds without forking it: our document
// types embed gorilla's exported structs and add, beside them, what those
// structs cannot say (several authors and categories per item, Dublin Core
// creators, the Atom self link inside RSS, JSON Feed 1.1 attachments and
// languages, …). A field of ours shadows the embedded field with the same
// element or key name, so gorilla's single-valued field stays silent.
// encoding/xml and encoding/json marshal the result, except the items
// (RSS items, Atom entries, JSON Feed items), which write themselves
// (xmlwrite.go, json.go) into exactly the bytes encoding/xml or
// encoding/json gives for the same structs, without their reflection,
// which was most of the cost of encoding them.
//
// Rendering is pure and deterministic: no clock, no random ids, no map
// iteration, times in UTC to the second. The same inputs give the same bytes
// on every replica, which is what makes strong ETags shareable.
//
// A Renderer keeps the encoded bytes of the items it rendered, under a hash
// of everything they are made from, and splices them into later renders of
// any feed listing the same articles (fragments.go, splice.go): after a
// write, a feed is encoded again only for the changed article's item. The
// spliced document is byte for byte the one encoding it whole would give.
//
// Conventions worth knowing:
//   - Article.Summary and titles are plain text, Article.ContentHTML is
//     HTML. RSS <description> is HTML, so it gets the summary escaped.
//   - Every string is stripped of the characters XML cannot carry before
//     it is written, in every format, so the three formats say the same.
//   - Categories and tags form one list (first spelling of each slug).
//   - An item's language is written only where it differs from the feed's.
//   - RSS carries an item's first enclosure only (readers disagree on
//     several); Atom and JSON Feed carry all of them.
//   - XML is indented by two spaces, JSON is compact; both end in a newline.
package render
