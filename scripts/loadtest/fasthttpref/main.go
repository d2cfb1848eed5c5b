// Command fasthttpref is the load test's lowest floor: the handler of
// fiberref written for fasthttp directly, the HTTP engine under Fiber,
// with no framework at all. Beside fiberref it tells what Fiber itself
// costs; beside nginx it tells what any Go server on fasthttp can reach on
// the machine, whatever its handler does.
//
// Usage: fasthttpref -addr 127.0.0.1:PORT -file FEED_FILE -etag ETAG
// (FEED_FILE.gz beside it).
package main

import (
	"bytes"
	"flag"
	"log"
	"os"

	"github.com/valyala/fasthttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	file := flag.String("file", "", "the feed's bytes")
	etag := flag.String("etag", "", "the identity ETag, quoted")
	flag.Parse()
	plain, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	gz, err := os.ReadFile(*file + ".gz")
	if err != nil {
		log.Fatal(err)
	}
	tag := []byte(*etag)
	gzTag := append(append(bytes.TrimSuffix(bytes.Clone(tag), []byte(`"`)), "-gzip"...), '"')
	feedPath := []byte("/feed.rss")

	srv := &fasthttp.Server{
		NoDefaultContentType:  true,
		NoDefaultServerHeader: true,
		Handler: func(c *fasthttp.RequestCtx) {
			if !bytes.Equal(c.Path(), feedPath) {
				c.SetStatusCode(fasthttp.StatusNotFound)
				return
			}
			h := &c.Response.Header
			useGzip := bytes.Contains(c.Request.Header.Peek("Accept-Encoding"), []byte("gzip"))
			t := tag
			if useGzip {
				t = gzTag
			}
			h.SetCanonical([]byte("Etag"), t)
			h.SetCanonical([]byte("Vary"), []byte("Accept-Encoding"))
			h.SetCanonical([]byte("Cache-Control"), []byte("public, max-age=300"))
			if inm := c.Request.Header.Peek("If-None-Match"); bytes.Equal(inm, tag) || bytes.Equal(inm, gzTag) {
				c.SetStatusCode(fasthttp.StatusNotModified)
				return
			}
			h.SetContentType("application/rss+xml; charset=utf-8")
			if useGzip {
				h.SetCanonical([]byte("Content-Encoding"), []byte("gzip"))
				c.Response.SetBodyRaw(gz)
				return
			}
			c.Response.SetBodyRaw(plain)
		},
	}
	log.Fatal(srv.ListenAndServe(*addr))
}
