package portal

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Bytes a client sent right behind its request (before any answer) are
// the first the hijacked connection reads; writes reach the client; and
// the buffers are the small ones.
func TestSmallBuffersKeepBytesReadAhead(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusSwitchingProtocols)
		conn, brw, err := smallBuffers{w}.Hijack()
		if err != nil {
			got <- "hijack: " + err.Error()
			return
		}
		defer conn.Close()
		if brw.Reader.Size() != socketBuffer || brw.Writer.Size() != socketBuffer {
			got <- "buffer sizes"
			return
		}
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 5)
		if _, err := io.ReadFull(brw, b); err != nil {
			got <- "read: " + err.Error()
			return
		}
		brw.WriteString("pong!")
		brw.Flush()
		got <- string(b)
	}))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\nhello"); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "hello" {
		t.Fatalf("the handler read %q, want hello", s)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("answer: %v, %v", resp, err)
	}
	b := make([]byte, 5)
	if _, err := io.ReadFull(br, b); err != nil || string(b) != "pong!" {
		t.Errorf("after the answer: %q, %v", b, err)
	}
}
