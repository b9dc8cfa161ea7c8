package portal

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// socketBuffer is the size of an open chat's read and write buffers. The
// HTTP server hands a hijacked connection over with 4 KB each, kept for
// the connection's life: for ten thousand open pages, 80 MB of buffers
// that a chat's frames (a few hundred bytes) never fill. A larger frame
// still goes through, in more than one read; a write larger than the
// buffer goes straight to the socket.
const socketBuffer = 512

// smallBuffers hands the WebSocket library a hijacked connection with
// socketBuffer-sized buffers instead of the server's.
type smallBuffers struct {
	http.ResponseWriter
}

// Unwrap lets http.ResponseController reach the server's writer.
func (s smallBuffers) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Bytes the server read ahead (a client that did not wait for the
	// handshake's answer) come first, already in the new buffer, where
	// the library looks for them.
	var ahead []byte
	if n := brw.Reader.Buffered(); n > 0 {
		ahead, _ = brw.Reader.Peek(n)
		ahead = bytes.Clone(ahead)
	}
	br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(ahead), conn), max(socketBuffer, len(ahead)))
	if len(ahead) > 0 {
		if _, err := br.Peek(len(ahead)); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	// What the server wrote of the handshake's answer is on the wire
	// already (the controller flushed it before handing over).
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(conn, socketBuffer)), nil
}
