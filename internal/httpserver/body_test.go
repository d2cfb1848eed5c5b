package httpserver

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestLingeringIsBounded: a refused body's connection is drained on a
// hijacked connection only while fewer than maxLingering are; beyond it
// the answer goes out the usual way and the connection closes.
func TestLingeringIsBounded(t *testing.T) {
	s := New(Config{}, nil, nil, nil, nil, nil)
	refused := func() *fasthttp.RequestCtx {
		var ctx fasthttp.RequestCtx
		var req fasthttp.Request
		req.Header.SetMethod("POST")
		req.SetRequestURI("/api/v1/articles")
		ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, nil)
		ctx.SetStatusCode(fasthttp.StatusRequestEntityTooLarge)
		return &ctx
	}
	ctx := refused()
	s.lingerClose(ctx)
	if !ctx.Hijacked() || s.lingering.Load() != 1 {
		t.Fatalf("under the bound: hijacked %v, lingering %d; want the connection taken to drain", ctx.Hijacked(), s.lingering.Load())
	}
	s.lingering.Store(maxLingering)
	ctx = refused()
	s.lingerClose(ctx)
	if ctx.Hijacked() || s.lingering.Load() != maxLingering {
		t.Fatalf("at the bound: hijacked %v, lingering %d; want the connection left to fasthttp", ctx.Hijacked(), s.lingering.Load())
	}
}
