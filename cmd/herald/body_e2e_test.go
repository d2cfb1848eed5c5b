package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"testing"
	"time"
)

// rawConn dials the server for a test that needs to control how a
// request's bytes reach it.
func rawConn(t *testing.T, s *testServer) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(60 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

// sendAll writes head and then body in the background, and returns the
// error the writing ended with.
func sendAll(c net.Conn, head string, body io.Reader) <-chan error {
	done := make(chan error, 1)
	go func() {
		if _, err := io.WriteString(c, head); err != nil {
			done <- err
			return
		}
		_, err := io.Copy(c, body)
		done <- err
	}()
	return done
}

// refusedAfterSending sends head and then body on a new connection, all
// of it before reading, and checks that the answer is a 413 too_large; it
// returns the answer and the connection's reader.
func refusedAfterSending(t *testing.T, s *testServer, head string, body io.Reader) (*http.Response, *bufio.Reader) {
	t.Helper()
	c, br := rawConn(t, s)
	if err := <-sendAll(c, head, body); err != nil {
		t.Fatalf("sending the body: %v (the server reset the connection)", err)
	}
	r, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	if r.StatusCode != http.StatusRequestEntityTooLarge || errorCode(t, r) != "too_large" {
		t.Fatalf("status %d; want 413 too_large", r.StatusCode)
	}
	return r, br
}

// errorCode reads a response's JSON error and returns its code.
func errorCode(t *testing.T, r *http.Response) string {
	t.Helper()
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		t.Fatalf("response body: %v", err)
	}
	return body.Error.Code
}

// TestOversizedBodyIsAnsweredNotReset sends bodies far over
// api.max_body_bytes, and reads the answer only once the whole body has
// been sent, as a client that writes its request before reading does.
// The client must get to send everything and then read a 413 naming the
// problem: a server that closes while bytes are still arriving makes the
// kernel reset the connection, and the client sees the reset instead.
func TestOversizedBodyIsAnsweredNotReset(t *testing.T) {
	s := startHerald(t, "", "-api.max-body-bytes", "65536")
	const size = 16 << 20 // more than loopback's socket buffers hold
	article := strings.NewReader(`{"title":"` + strings.Repeat("x", size) + `"}`)

	t.Run("content-length", func(t *testing.T) {
		head := fmt.Sprintf("POST /api/v1/articles HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", testToken, article.Size())
		r, br := refusedAfterSending(t, s, head, article)
		if !r.Close {
			t.Errorf("the 413 lacks Connection: close")
		}
		if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("after the answer: %d bytes, %v; want the connection closed cleanly (EOF)", n, err)
		}
	})

	// fasthttp would read a multipart form of any length into memory and
	// temporary files before the limit is checked.
	t.Run("multipart", func(t *testing.T) {
		form := "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\n" + strings.Repeat("w", size) + "\r\n--b--\r\n"
		head := fmt.Sprintf("POST /api/v1/articles HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", testToken, len(form))
		refusedAfterSending(t, s, head, strings.NewReader(form))
	})

	t.Run("chunked", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			cw := httputil.NewChunkedWriter(pw)
			_, err := io.Copy(cw, strings.NewReader(strings.Repeat("y", size)))
			if err == nil {
				err = cw.Close()
			}
			if err == nil { // the last chunk's empty trailer section
				_, err = io.WriteString(pw, "\r\n")
			}
			pw.CloseWithError(err)
		}()
		head := "POST /api/v1/articles HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer " + testToken + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
		refusedAfterSending(t, s, head, pr)
	})

	// A client that asks to continue before sending is refused before it
	// sends anything.
	t.Run("expect 100-continue", func(t *testing.T) {
		c, br := rawConn(t, s)
		head := fmt.Sprintf("POST /api/v1/articles HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", testToken, size)
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
		r, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading the answer: %v", err)
		}
		if r.StatusCode != http.StatusRequestEntityTooLarge || !r.Close || errorCode(t, r) != "too_large" {
			t.Fatalf("status %d, close %v; want 413 too_large, not 100 Continue", r.StatusCode, r.Close)
		}
	})

	// Nothing was stored, and the server still answers.
	if r := s.api(t, http.MethodGet, "/api/v1/articles", nil); r.Status != 200 || strings.Contains(string(r.Body), "xxxx") {
		t.Errorf("listing after the refusals: %d %.200s", r.Status, r.Body)
	}
}

// TestBodiesWithinTheLimit: a body under api.max_body_bytes is read whole
// before any route runs, so a route that refuses the request without
// reading its body leaves nothing on the connection, which serves the next
// request; and a chunked body under the limit is taken.
func TestBodiesWithinTheLimit(t *testing.T) {
	s := startHerald(t, "", "-api.max-body-bytes", "1048576")

	c, br := rawConn(t, s)
	body := `{"title":"` + strings.Repeat("z", 900_000) + `"}`
	head := fmt.Sprintf("POST /api/v1/articles HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	if err := <-sendAll(c, head, strings.NewReader(body)); err != nil {
		t.Fatalf("sending the body: %v", err)
	}
	r, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	if r.StatusCode != http.StatusUnauthorized || r.Close || errorCode(t, r) != "unauthorized" {
		t.Fatalf("status %d, close %v; want 401 on a connection kept open", r.StatusCode, r.Close)
	}
	// So is one sent to a path refused before any route (%2F, an unknown
	// method): the answer arrives, the connection serves on.
	for _, method := range []string{"POST", "PURGE"} {
		head = fmt.Sprintf("%s /a%%2Fb HTTP/1.1\r\nHost: herald\r\nContent-Length: %d\r\n\r\n", method, len(body))
		if err := <-sendAll(c, head, strings.NewReader(body)); err != nil {
			t.Fatalf("%s: sending the body: %v", method, err)
		}
		r, err = http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: reading the answer: %v", method, err)
		}
		io.Copy(io.Discard, r.Body)
		if r.StatusCode < 400 || r.StatusCode >= 600 || r.Close {
			t.Fatalf("%s to a refused path: status %d, close %v; want its error on a connection kept open", method, r.StatusCode, r.Close)
		}
	}

	// A body within the limit that waits for 100 Continue gets it.
	small := `{"title":"Continued"}`
	head = fmt.Sprintf("POST /api/v1/articles HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", testToken, len(small))
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	if line, err := br.ReadString('\n'); err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("before the body: %q, %v; want 100 Continue", line, err)
	}
	if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q, %v", blank, err)
	}
	if _, err := io.WriteString(c, small); err != nil {
		t.Fatal(err)
	}
	if r, err = http.ReadResponse(br, nil); err != nil || r.StatusCode != http.StatusCreated {
		t.Fatalf("continued create: %v, %v", r, err)
	}
	r.Body.Close()
	// The same connection serves a chunked article next.
	chunked := "POST /api/v1/articles HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer " + testToken + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
	for _, p := range []string{`{"title":"Chu`, `nked","slug":"c`, `k"}`, ""} {
		chunked += fmt.Sprintf("%x\r\n%s\r\n", len(p), p)
	}
	if _, err := io.WriteString(c, chunked); err != nil {
		t.Fatal(err)
	}
	r, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the second answer: %v", err)
	}
	var a map[string]any
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil || r.StatusCode != http.StatusCreated || a["title"] != "Chunked" || a["slug"] != "ck" {
		t.Fatalf("chunked create: status %d, %v, %v", r.StatusCode, a, err)
	}
}
