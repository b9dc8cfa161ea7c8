package portal

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The chat's WebSocket, server side (RFC 6455), written for many
// connections that sit idle: a citizen's page open on a phone, waiting
// for an answer. An idle connection holds no goroutine and no buffer:
// where the system allows (Linux: epoll, wspoll_linux.go) one goroutine
// watches every idle socket, and a read runs, with a pooled buffer, only
// when bytes arrive; elsewhere each connection has a reading goroutine.
// Only what the chat needs is here: text messages (fragmented or not),
// ping, pong and close from the page; text, ping and close to it; no
// extensions (a browser that offers compression is answered without it).

// wsStatus is a close code.
type wsStatus uint16

const (
	wsNormal          wsStatus = 1000
	wsGoingAway       wsStatus = 1001
	wsProtocolError   wsStatus = 1002
	wsNoStatus        wsStatus = 1005
	wsInvalidData     wsStatus = 1007
	wsPolicyViolation wsStatus = 1008
	wsTooBig          wsStatus = 1009
	wsInternalError   wsStatus = 1011
)

const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// errWSClosed is returned by writes on a closed connection.
var errWSClosed = errors.New("websocket: closed")

// wsGUID is the handshake's constant (RFC 6455, 1.3).
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// wsReadChunk is the pooled buffer a read fills.
const wsReadChunk = 4096

var wsBufs = sync.Pool{New: func() any { b := make([]byte, wsReadChunk); return &b }}

// wsConn is one connection. Its reading side (feed) runs on one
// goroutine at a time; writes take wmu.
type wsConn struct {
	conn  net.Conn
	limit int // bytes a message may hold

	// onMessage is called for each complete message (text says whether
	// it was a text message), from the reading goroutine, one at a time.
	onMessage func(text bool, data []byte)
	// onClose is called once, when the connection ends for any reason.
	onClose func()

	wmu      sync.Mutex
	closed   atomic.Bool
	closeFn  sync.Once
	lastPong atomic.Int64 // unix nanoseconds of the last pong (or of the handshake)

	// Reading state: only the reading goroutine touches it.
	reading atomic.Bool // a read round is running (the poller may wake it twice)
	partial []byte      // the start of a frame not complete yet; nil when none
	msg     []byte      // a fragmented message being put together
	msgOp   byte        // its opcode; 0 when none
}

// errNotHandshake: the request is not a WebSocket handshake this server
// takes (wrong method or headers, a version other than 13, a bad key).
var errNotHandshake = errors.New("websocket: not a handshake")

// wsHandshake checks that r asks for a WebSocket (RFC 6455, 4.2.1).
func wsHandshake(r *http.Request) bool {
	if r.Method != http.MethodGet || !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket") ||
		r.Header.Get("Sec-WebSocket-Version") != "13" {
		return false
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.Header.Get("Sec-WebSocket-Key")))
	return err == nil && len(k) == 16
}

// wsAccept answers the handshake and takes the connection over. Bytes the
// client sent ahead of the answer are returned, to feed first. A request
// that is not a handshake gets errNotHandshake, and no answer: the
// caller gives one in the visitor's language.
func wsAccept(w http.ResponseWriter, r *http.Request) (net.Conn, []byte, error) {
	if !wsHandshake(r) {
		return nil, nil, errNotHandshake
	}
	key := strings.TrimSpace(r.Header.Get("Sec-WebSocket-Key"))
	h := w.Header()
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-WebSocket-Accept", wsAcceptKey(key))
	w.WriteHeader(http.StatusSwitchingProtocols)
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	var ahead []byte
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		ahead = bytes.Clone(b)
	}
	// The answer was flushed by the hijack; brw's buffers are dropped.
	conn.SetDeadline(time.Time{})
	return conn, ahead, nil
}

func wsAcceptKey(key string) string {
	sum := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// headerHas says whether a comma-separated header holds token (any case).
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

func newWSConn(conn net.Conn, limit int) *wsConn {
	c := &wsConn{conn: conn, limit: limit}
	c.lastPong.Store(time.Now().UnixNano())
	return c
}

// errWSProtocol carries the close code a reading problem ends with.
type errWSProtocol struct {
	status wsStatus
	why    string
}

func (e *errWSProtocol) Error() string { return "websocket: " + e.why }

// feed takes bytes read from the socket: complete frames are handled, the
// start of an unfinished one is kept. An error ends the connection with
// its close code.
func (c *wsConn) feed(b []byte) error {
	kept := len(c.partial) > 0
	if kept {
		c.partial = append(c.partial, b...)
		b = c.partial
	}
	for len(b) > 0 && !c.closed.Load() {
		n, err := c.frame(b)
		if err != nil {
			return err
		}
		if n == 0 {
			break // incomplete
		}
		b = b[n:]
	}
	switch {
	case len(b) == 0:
		c.partial = nil
	case kept:
		// Still the kept bytes' tail: moved to the front only when a frame
		// was taken, so that a frame arriving a byte at a time is not
		// copied again at each byte.
		if len(b) < len(c.partial) {
			c.partial = c.partial[:copy(c.partial, b)]
		}
	default:
		// Keep what is left, copied: b may be a pooled buffer.
		rest := make([]byte, len(b), max(len(b), 64))
		copy(rest, b)
		c.partial = rest
	}
	return nil
}

// frame handles the frame at the start of b, returning its length, or 0
// when b holds only part of it.
func (c *wsConn) frame(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, nil
	}
	fin, rsv, op := b[0]&0x80 != 0, b[0]&0x70, b[0]&0x0F
	masked, n7 := b[1]&0x80 != 0, int64(b[1]&0x7F)
	if rsv != 0 {
		return 0, &errWSProtocol{wsProtocolError, "reserved bits set"}
	}
	if !masked {
		return 0, &errWSProtocol{wsProtocolError, "client frame not masked"}
	}
	head, size := 2, n7
	switch n7 {
	case 126:
		if len(b) < 4 {
			return 0, nil
		}
		head, size = 4, int64(binary.BigEndian.Uint16(b[2:4]))
	case 127:
		if len(b) < 10 {
			return 0, nil
		}
		u := binary.BigEndian.Uint64(b[2:10])
		if u > 1<<62 {
			return 0, &errWSProtocol{wsProtocolError, "length out of range"}
		}
		head, size = 10, int64(u)
	}
	control := op >= opClose
	if control && (!fin || size > 125) {
		return 0, &errWSProtocol{wsProtocolError, "bad control frame"}
	}
	if size > int64(c.limit) || int64(len(c.msg))+size > int64(c.limit) {
		return 0, &errWSProtocol{wsTooBig, "message too big"}
	}
	total := head + 4 + int(size)
	if len(b) < total {
		return 0, nil
	}
	key := b[head : head+4]
	payload := b[head+4 : total]
	for i := range payload {
		payload[i] ^= key[i&3]
	}
	switch op {
	case opPing:
		if err := c.write(opPong, payload, time.Now().Add(writeTimeout)); err != nil {
			return 0, err
		}
	case opPong:
		c.lastPong.Store(time.Now().UnixNano())
	case opClose:
		status := wsNoStatus
		if len(payload) >= 2 {
			status = wsStatus(binary.BigEndian.Uint16(payload))
		}
		if status == wsNoStatus {
			c.Close(wsNormal, "")
		} else {
			c.Close(status, "")
		}
		return total, nil
	case opText, opBinary:
		if c.msgOp != 0 {
			return 0, &errWSProtocol{wsProtocolError, "new message inside a fragmented one"}
		}
		if fin {
			c.deliver(op, payload)
		} else {
			c.msgOp, c.msg = op, append([]byte(nil), payload...)
		}
	case opContinuation:
		if c.msgOp == 0 {
			return 0, &errWSProtocol{wsProtocolError, "continuation without a message"}
		}
		c.msg = append(c.msg, payload...)
		if fin {
			op, msg := c.msgOp, c.msg
			c.msgOp, c.msg = 0, nil
			c.deliver(op, msg)
		}
	default:
		return 0, &errWSProtocol{wsProtocolError, "unknown opcode"}
	}
	return total, nil
}

func (c *wsConn) deliver(op byte, data []byte) {
	if op == opText && !utf8.Valid(data) {
		c.Close(wsInvalidData, "text is not UTF-8")
		return
	}
	if c.onMessage != nil {
		c.onMessage(op == opText, data)
	}
}

// write sends one frame, unmasked (a server's).
func (c *wsConn) write(op byte, payload []byte, deadline time.Time) error {
	if c.closed.Load() {
		return errWSClosed
	}
	var head [10]byte
	head[0] = 0x80 | op
	n := 2
	switch l := len(payload); {
	case l < 126:
		head[1] = byte(l)
	case l <= 0xFFFF:
		head[1] = 126
		binary.BigEndian.PutUint16(head[2:4], uint16(l))
		n = 4
	default:
		head[1] = 127
		binary.BigEndian.PutUint64(head[2:10], uint64(l))
		n = 10
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.conn.SetWriteDeadline(deadline)
	bufs := net.Buffers{head[:n], payload}
	_, err := bufs.WriteTo(c.conn)
	if err != nil {
		c.closeConn()
	}
	return err
}

// WriteText sends a text message, giving up at deadline.
func (c *wsConn) WriteText(data []byte, deadline time.Time) error {
	return c.write(opText, data, deadline)
}

// Ping asks the page for a pong (seen by lastPong).
func (c *wsConn) Ping() error {
	return c.write(opPing, nil, time.Now().Add(writeTimeout))
}

// Close says why the connection ends, then ends it.
func (c *wsConn) Close(status wsStatus, reason string) {
	if c.closed.Load() {
		return
	}
	payload := make([]byte, 2, 2+len(reason))
	binary.BigEndian.PutUint16(payload, uint16(status))
	if len(reason) <= 123 {
		payload = append(payload, reason...)
	}
	_ = c.write(opClose, payload, time.Now().Add(time.Second))
	c.closeConn()
}

// CloseNow ends the connection without a word.
func (c *wsConn) CloseNow() { c.closeConn() }

func (c *wsConn) closeConn() {
	c.closeFn.Do(func() {
		c.closed.Store(true)
		c.conn.Close()
		if c.onClose != nil {
			go c.onClose()
		}
	})
}

// readRound reads what the socket has now, with a pooled buffer, until
// it would wait; more says the connection is still open.
func (c *wsConn) readRound(read func([]byte) (int, error)) (more bool) {
	bp := wsBufs.Get().(*[]byte)
	defer wsBufs.Put(bp)
	buf := *bp
	for !c.closed.Load() {
		n, err := read(buf)
		if n > 0 {
			if ferr := c.feed(buf[:n]); ferr != nil {
				var pe *errWSProtocol
				if errors.As(ferr, &pe) {
					c.Close(pe.status, "")
				} else {
					c.closeConn()
				}
				return false
			}
		}
		switch {
		case errors.Is(err, errWouldBlock):
			return true
		case err != nil:
			c.closeConn()
			return false
		case n == 0:
			c.closeConn() // the other end closed
			return false
		case n < len(buf):
			return true
		}
	}
	return false
}

// errWouldBlock: nothing to read now.
var errWouldBlock = errors.New("would block")

// readLoop is the reading of a connection the poller cannot watch: one
// goroutine, blocked in Read.
func (c *wsConn) readLoop() {
	for c.readRound(func(b []byte) (int, error) {
		n, err := c.conn.Read(b)
		if n > 0 && err != nil {
			err = nil // the next Read reports it again
		}
		if n == 0 && err == nil {
			return 0, errWouldBlock
		}
		return n, err
	}) {
	}
}
