// Package importer turns files on disk into articles and hands them to a
// Sink: plain text (.txt), Markdown with optional YAML front matter (.md,
// .markdown), articles in the API's JSON shape (.json) and existing feeds
// (.rss, .atom, .xml, .feed.json).
//
// The package only parses. Validation, slug rules and storage belong to the
// Sink, so that an imported article obeys exactly the rules of one posted
// through the API. Every format yields a stable slug (from the front matter,
// the JSON, the feed item or the file name), which is what lets a re-import
// update an article instead of duplicating it.
//
// The accepted formats are documented for publishers in examples/README.md.
package importer
