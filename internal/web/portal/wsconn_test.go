package portal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// clientFrame builds a masked frame, as a browser sends.
func clientFrame(fin bool, op byte, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	switch l := len(payload); {
	case l < 126:
		out = append(out, 0x80|byte(l))
	case l <= 0xFFFF:
		out = append(out, 0x80|126, byte(l>>8), byte(l))
	default:
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(l))
		out = append(append(out, 0x80|127), b[:]...)
	}
	key := []byte{0x12, 0x34, 0x56, 0x78}
	out = append(out, key...)
	for i, c := range payload {
		out = append(out, c^key[i&3])
	}
	return out
}

type wsRecorder struct {
	msgs []string
}

func newTestWS(t *testing.T, limit int) (*wsConn, *wsRecorder, net.Conn) {
	t.Helper()
	server, client := net.Pipe()
	t.Cleanup(func() { server.Close(); client.Close() })
	c := newWSConn(server, limit)
	rec := &wsRecorder{}
	c.onMessage = func(text bool, data []byte) {
		if !text {
			rec.msgs = append(rec.msgs, "binary:"+string(data))
			return
		}
		rec.msgs = append(rec.msgs, string(data))
	}
	return c, rec, client
}

// readServerFrame reads one unmasked frame the server wrote.
func readServerFrame(t *testing.T, conn net.Conn) (byte, []byte) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	head := make([]byte, 2)
	if _, err := conn.Read(head); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	n := int(head[1] & 0x7F)
	payload := make([]byte, n)
	for got := 0; got < n; {
		m, err := conn.Read(payload[got:])
		if err != nil {
			t.Fatal(err)
		}
		got += m
	}
	return head[0] & 0x0F, payload
}

func TestWSFramesFragmentsAndSplits(t *testing.T) {
	c, rec, _ := newTestWS(t, 1<<10)
	var stream []byte
	stream = append(stream, clientFrame(true, opText, []byte(`{"type":"ping"}`))...)
	stream = append(stream, clientFrame(false, opText, []byte("مرح"))...)
	stream = append(stream, clientFrame(true, opContinuation, []byte("با"))...)
	stream = append(stream, clientFrame(true, opText, bytes.Repeat([]byte("x"), 300))...) // 16-bit length
	// Fed a byte at a time: frames cut anywhere come out whole.
	for i := range stream {
		if err := c.feed(stream[i : i+1]); err != nil {
			t.Fatalf("byte %d: %v", i, err)
		}
	}
	want := []string{`{"type":"ping"}`, "مرحبا", string(bytes.Repeat([]byte("x"), 300))}
	if len(rec.msgs) != len(want) {
		t.Fatalf("got %d messages, want %d: %q", len(rec.msgs), len(want), rec.msgs)
	}
	for i := range want {
		if rec.msgs[i] != want[i] {
			t.Errorf("message %d: %q, want %q", i, rec.msgs[i], want[i])
		}
	}
	if c.partial != nil {
		t.Errorf("%d bytes left over", len(c.partial))
	}
}

func TestWSRefusesBadFrames(t *testing.T) {
	unmasked := clientFrame(true, opText, []byte("hi"))
	unmasked[1] &^= 0x80
	unmasked = append(unmasked[:2], []byte("hi")...)
	for _, tc := range []struct {
		name  string
		frame []byte
		want  wsStatus
	}{
		{"unmasked", unmasked, wsProtocolError},
		{"reserved bits", append([]byte{0xC1}, clientFrame(true, opText, []byte("hi"))[1:]...), wsProtocolError},
		{"too big", clientFrame(true, opText, bytes.Repeat([]byte("y"), 2000)), wsTooBig},
		{"fragmented control", clientFrame(false, opPing, nil), wsProtocolError},
		{"continuation alone", clientFrame(true, opContinuation, []byte("x")), wsProtocolError},
		{"unknown opcode", clientFrame(true, 0x3, nil), wsProtocolError},
	} {
		c, rec, _ := newTestWS(t, 1<<10)
		err := c.feed(tc.frame)
		var pe *errWSProtocol
		if !errors.As(err, &pe) || pe.status != tc.want {
			t.Errorf("%s: got %v, want close %d", tc.name, err, tc.want)
		}
		if len(rec.msgs) != 0 {
			t.Errorf("%s: delivered %q", tc.name, rec.msgs)
		}
	}
}

// A ping is answered with a pong carrying its data; a pong is noted; a
// close is answered with the same code and ends the connection; text that
// is not UTF-8 is refused with 1007.
func TestWSControlFrames(t *testing.T) {
	c, _, client := newTestWS(t, 1<<10)
	// One feed at a time, as a connection's reader does: each in its
	// goroutine (the pipe blocks its answer until read), waited for.
	feed := func(b []byte) chan error {
		done := make(chan error, 1)
		go func() { done <- c.feed(b) }()
		return done
	}
	fed := feed(clientFrame(true, opPing, []byte("hb")))
	if op, p := readServerFrame(t, client); op != opPong || string(p) != "hb" {
		t.Errorf("ping: got op %x %q, want a pong with hb", op, p)
	}
	<-fed
	before := c.lastPong.Load()
	time.Sleep(time.Millisecond)
	if err := c.feed(clientFrame(true, opPong, nil)); err != nil || c.lastPong.Load() == before {
		t.Errorf("pong not noted: %v", err)
	}
	closed := make(chan struct{})
	c.onClose = func() { close(closed) }
	fed = feed(clientFrame(true, opClose, []byte{0x03, 0xE8}))
	if op, p := readServerFrame(t, client); op != opClose || binary.BigEndian.Uint16(p) != 1000 {
		t.Errorf("close: got op %x %v, want close 1000", op, p)
	}
	<-fed
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("the connection did not end after a close")
	}
	if err := c.WriteText([]byte("late"), time.Now().Add(time.Second)); !errors.Is(err, errWSClosed) {
		t.Errorf("write after close: %v", err)
	}

	c2, rec, client2 := newTestWS(t, 1<<10)
	go c2.feed(clientFrame(true, opText, []byte{0xff, 0xfe}))
	if op, p := readServerFrame(t, client2); op != opClose || binary.BigEndian.Uint16(p) != uint16(wsInvalidData) {
		t.Errorf("bad UTF-8: got op %x %v, want close 1007", op, p)
	}
	if len(rec.msgs) != 0 {
		t.Errorf("bad UTF-8 delivered: %q", rec.msgs)
	}
}

// The server's frames: lengths of every size are encoded as RFC 6455 says.
func TestWSWriteLengths(t *testing.T) {
	for _, n := range []int{0, 125, 126, 65535, 65536} {
		c, _, client := newTestWS(t, 1<<10)
		payload := bytes.Repeat([]byte("z"), n)
		go c.WriteText(payload, time.Now().Add(2*time.Second))
		client.SetReadDeadline(time.Now().Add(2 * time.Second))
		var got bytes.Buffer
		want := 2 + n
		if n >= 126 {
			want += 2
		}
		if n > 65535 {
			want += 6
		}
		buf := make([]byte, 4096)
		for got.Len() < want {
			m, err := client.Read(buf)
			if err != nil {
				t.Fatalf("%d: %v", n, err)
			}
			got.Write(buf[:m])
		}
		b := got.Bytes()
		var size int
		switch b[1] {
		case 126:
			size = int(binary.BigEndian.Uint16(b[2:4]))
		case 127:
			size = int(binary.BigEndian.Uint64(b[2:10]))
		default:
			size = int(b[1])
		}
		if b[0] != 0x81 || size != n || !bytes.Equal(b[want-n:], payload) {
			t.Errorf("%d bytes: header %x, size %d", n, b[:2], size)
		}
	}
}

// Whatever the page sends, feeding it never panics, and what it delivers
// is within the limit and valid text.
func FuzzWSFeed(f *testing.F) {
	f.Add(clientFrame(true, opText, []byte(`{"type":"message","body":"ciao"}`)))
	f.Add(append(clientFrame(false, opText, []byte("a")), clientFrame(true, opContinuation, []byte("b"))...))
	f.Add(clientFrame(true, opPing, []byte("x")))
	f.Add([]byte{0x81, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		server, client := net.Pipe()
		defer server.Close()
		defer client.Close()
		go func() { // drain what the server answers (pongs, closes)
			buf := make([]byte, 512)
			for {
				if _, err := client.Read(buf); err != nil {
					return
				}
			}
		}()
		c := newWSConn(server, 256)
		c.onMessage = func(text bool, msg []byte) {
			if len(msg) > 256 {
				t.Fatalf("delivered %d bytes past the limit", len(msg))
			}
		}
		// In two pieces, cut where the fuzzer says.
		cut := 0
		if len(data) > 0 {
			cut = int(data[0]) % (len(data) + 1)
		}
		if err := c.feed(append([]byte(nil), data[:cut]...)); err != nil {
			return
		}
		_ = c.feed(append([]byte(nil), data[cut:]...))
	})
}

// A large message arriving a byte at a time (a slow link, or someone
// trying to make the server copy it over and over) is put together by
// appending: a few dozen allocations, not one per byte.
func TestWSLargeFrameByteByByte(t *testing.T) {
	body := bytes.Repeat([]byte("é"), 60_000) // 120,000 bytes: a 64-bit length
	frame := clientFrame(true, opText, body)
	delivered := 0
	allocs := testing.AllocsPerRun(1, func() {
		c := newWSConn(nil, maxFrame)
		c.onMessage = func(text bool, data []byte) {
			if text && bytes.Equal(data, body) {
				delivered++
			}
		}
		for i := range frame {
			if err := c.feed(frame[i : i+1]); err != nil {
				t.Fatalf("byte %d: %v", i, err)
			}
		}
	})
	if delivered != 2 { // AllocsPerRun runs it once more to warm up
		t.Fatalf("delivered %d times, want 2", delivered)
	}
	if allocs > 100 {
		t.Errorf("%d bytes fed one at a time: %.0f allocations", len(frame), allocs)
	}
}

// Both ways of reading a socket — the poller's watch (Linux) and a
// goroutine of its own (elsewhere) — deliver what arrives in pieces, and
// end the connection when the other side goes.
func TestWSReaders(t *testing.T) {
	for _, reader := range []string{"poller", "goroutine"} {
		t.Run(reader, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			client, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			server, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			c := newWSConn(server, 1<<10)
			got := make(chan string, 10)
			ended := make(chan struct{})
			c.onMessage = func(text bool, data []byte) { got <- string(data) }
			c.onClose = func() { close(ended) }
			switch reader {
			case "poller":
				p := newWSPoller()
				if p == nil {
					t.Skip("no poller on this system")
				}
				defer p.close()
				if !p.watch(c) {
					t.Fatal("the poller refused a TCP socket")
				}
			default:
				go c.readLoop()
			}
			frame := clientFrame(true, opText, []byte("ciao"))
			for _, piece := range [][]byte{frame[:3], frame[3:]} {
				if _, err := client.Write(piece); err != nil {
					t.Fatal(err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			select {
			case m := <-got:
				if m != "ciao" {
					t.Errorf("got %q", m)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("nothing delivered")
			}
			client.Close()
			select {
			case <-ended:
			case <-time.After(2 * time.Second):
				t.Fatal("the connection did not end when the other side went")
			}
		})
	}
}

func TestWSHandshakeChecks(t *testing.T) {
	good := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/ws", nil)
		r.Header.Set("Connection", "keep-alive, Upgrade")
		r.Header.Set("Upgrade", "websocket")
		r.Header.Set("Sec-WebSocket-Version", "13")
		r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		return r
	}
	if !wsHandshake(good()) {
		t.Fatal("a browser's handshake was refused")
	}
	// RFC 6455's own example.
	if got := wsAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("accept key %q", got)
	}
	for name, spoil := range map[string]func(*http.Request){
		"POST":          func(r *http.Request) { r.Method = http.MethodPost },
		"no upgrade":    func(r *http.Request) { r.Header.Del("Upgrade") },
		"version 12":    func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "12") },
		"short key":     func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "c2hvcnQ=") },
		"no connection": func(r *http.Request) { r.Header.Set("Connection", "keep-alive") },
	} {
		r := good()
		spoil(r)
		if wsHandshake(r) {
			t.Errorf("%s: taken as a handshake", name)
		}
	}
}
