// Command fasthttpref is the load test's lowest floor: fiberref's handler
// (package ref) on fasthttp directly, the HTTP engine under Fiber, with no
// framework at all. Beside fiberref it tells what Fiber itself costs;
// beside nginx it tells what any Go server on fasthttp can reach on the
// machine, whatever its handler does.
//
// Usage: fasthttpref -addr 127.0.0.1:PORT -file FEED_FILE -etag ETAG
// (FEED_FILE.gz beside it).
package main

import (
	"bytes"
	"log"

	"github.com/valyala/fasthttp"

	"github.com/herald-feeds/herald/scripts/loadtest/ref"
)

func main() {
	addr, serve := ref.FromFlags()
	feedPath := []byte("/feed.rss")
	srv := &fasthttp.Server{
		NoDefaultContentType:  true,
		NoDefaultServerHeader: true,
		Handler: func(c *fasthttp.RequestCtx) {
			if !bytes.Equal(c.Path(), feedPath) {
				c.SetStatusCode(fasthttp.StatusNotFound)
				return
			}
			serve(c)
		},
	}
	log.Fatal(srv.ListenAndServe(addr))
}
