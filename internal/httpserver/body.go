package httpserver

import (
	"bytes"
	"errors"
	"io"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Request bodies are streamed (fasthttp's StreamRequestBody) so that
// Herald, not fasthttp, decides what happens to one over
// api.max_body_bytes. fasthttp refusing such a body itself answers 413
// and closes the connection at once, while the client is still sending:
// the kernel then resets the connection for the unread bytes, and the
// client, still writing, usually sees "connection reset" and never the
// 413. Herald answers the 413 and then closes the way nginx's lingering
// close does: it shuts down its sending side and reads and discards
// what the client still sends, for a bounded time, before closing.
//
// Every body within the limit is read whole before any route runs, as
// fasthttp did unstreamed, so handlers see Request.Body as before and a
// route that refuses a request without reading its body (401, 404, 405)
// leaves nothing unread on the connection.

const (
	// lingerWait bounds each wait for more of a refused body, and
	// lingerTime the whole drain (nginx's lingering_timeout and
	// lingering_time defaults).
	lingerWait = 5 * time.Second
	lingerTime = 30 * time.Second
	// lingerWrite bounds sending the refusal on a lingering connection
	// when server.write_timeout is unset.
	lingerWrite = 10 * time.Second
	// maxLingering bounds the connections draining at once: a hijacked
	// connection counts against none of fasthttp's limits, and a client
	// opening many to send oversized bodies slowly would otherwise hold
	// as many goroutines and sockets for lingerTime each. Beyond it, a
	// refused body's connection is closed after the answer, unlingered.
	maxLingering = 256
)

// readBody reads a streamed request body whole, up to the body limit,
// and hands it to the request as its body when a route takes one (a write
// to the API); any other request's body is read and dropped. It returns
// the error to answer with: 413 when the body is over the limit, 408 when
// it did not arrive in time (server.read_timeout, armed at the request's
// first byte), 400 when it is malformed (a broken chunked coding).
//
// Memory follows the bytes that arrived, not the Content-Length the
// client announced: a buffer sized from the header alone let anyone hold
// api.max_body_bytes of memory per connection by announcing a large body
// and sending a few kilobytes of it.
func (s *Server) readBody(ctx *fasthttp.RequestCtx) error {
	n := ctx.Request.Header.ContentLength()
	if n > s.bodyLimit {
		return fiber.ErrRequestEntityTooLarge
	}
	// One byte more than the limit tells a chunked body over it.
	body := io.LimitReader(ctx.RequestBodyStream(), int64(s.bodyLimit)+1)
	var buf *bytes.Buffer
	var read int64
	var err error
	if takesBody(ctx) {
		// Room for a small body whole, with the read that finds its end
		// (a buffer of exactly n would double to make that read); a larger
		// one grows as it arrives.
		size := min(max(n, 0), initialBodyBuffer) + bytes.MinRead
		buf = bytes.NewBuffer(make([]byte, 0, size))
		read, err = buf.ReadFrom(body)
	} else {
		read, err = io.Copy(io.Discard, body)
	}
	var netErr net.Error
	switch {
	case errors.As(err, &netErr) && netErr.Timeout():
		return fiber.ErrRequestTimeout
	case errors.Is(err, fasthttp.ErrBodyTooLarge), err == nil && read > int64(s.bodyLimit):
		return fiber.ErrRequestEntityTooLarge
	case err != nil:
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	if buf != nil {
		ctx.Request.SetBodyRaw(buf.Bytes())
	} else {
		ctx.Request.SetBodyRaw(nil)
	}
	return nil
}

// initialBodyBuffer is the most readBody sets aside for a body before any
// of it arrives.
const initialBodyBuffer = 64 << 10

// takesBody reports whether a route may read the request's body: only
// the write API's do (POST, PUT, PATCH under /api/). Every other body is
// dropped as it is read.
func takesBody(ctx *fasthttp.RequestCtx) bool {
	switch string(ctx.Method()) {
	case fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch:
		return bytes.HasPrefix(ctx.Path(), []byte("/api/"))
	}
	return false
}

// expectContinue answers a request that asks for 100 Continue before
// sending its body (RFC 9110, 10.1.1): a Content-Length over the limit
// gets its 413 now, so the client need not send the body at all (fasthttp
// then runs no route); anything else gets its 100.
func (s *Server) expectContinue(ctx *fasthttp.RequestCtx) int {
	if ctx.Request.Header.ContentLength() > s.bodyLimit {
		s.refuseBody(ctx, fiber.ErrRequestEntityTooLarge)
		return fasthttp.StatusRequestEntityTooLarge
	}
	return fasthttp.StatusContinue
}

// refuseBody answers a request whose body readBody refused with err, as
// every request error is answered (JSON, request id, access log), and
// closes the connection. A body over the limit is, in the main, still on
// its way: the answer is sent and the rest of the body drained
// (lingerClose) so that the client reads the answer rather than a reset.
func (s *Server) refuseBody(ctx *fasthttp.RequestCtx, err error) {
	c := s.app.AcquireCtx(ctx)
	_ = s.observeUnrouted(c, err, unmatched)
	s.app.ReleaseCtx(c)
	ctx.SetConnectionClose()
	var fe *fiber.Error
	if !errors.As(err, &fe) || fe.Code != fiber.StatusRequestEntityTooLarge {
		// A body that broke off or timed out has nothing left worth
		// draining.
		return
	}
	s.lingerClose(ctx)
}

// lingerClose sends ctx's response itself on the hijacked connection,
// shuts down the sending side (the client sees the response end), and
// reads and discards what the client still sends until it stops, a read
// waits lingerWait, or lingerTime has passed; fasthttp then closes the
// connection. A connection that cannot half-close, or one beyond
// maxLingering, is closed after the response, as without lingering.
func (s *Server) lingerClose(ctx *fasthttp.RequestCtx) {
	ctx.Response.SkipBody = ctx.IsHead()
	var resp bytes.Buffer
	if _, err := ctx.Response.WriteTo(&resp); err != nil {
		return // fasthttp sends the response and closes
	}
	raw := ctx.Conn()
	writeTimeout := s.cfg.WriteTimeout
	if writeTimeout <= 0 {
		writeTimeout = lingerWrite
	}
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		if c.SetWriteDeadline(time.Now().Add(writeTimeout)) != nil {
			return
		}
		if _, err := c.Write(resp.Bytes()); err != nil {
			return
		}
		// The slot is taken here, where it is sure to be given back:
		// fasthttp may skip a hijack handler (a failed flush).
		if s.lingering.Add(1) > maxLingering {
			s.lingering.Add(-1)
			return
		}
		defer s.lingering.Add(-1)
		half, ok := raw.(interface{ CloseWrite() error })
		if !ok || half.CloseWrite() != nil {
			return
		}
		drain(c, time.Now().Add(lingerTime))
	})
}

// drain reads and discards from c until it ends, fails, a read waits
// lingerWait, or end.
func drain(c net.Conn, end time.Time) {
	buf := make([]byte, 32<<10)
	for {
		deadline := time.Now().Add(lingerWait)
		if deadline.After(end) {
			deadline = end
		}
		if c.SetReadDeadline(deadline) != nil {
			return
		}
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}
