package email

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strings"
)

// parseDSN reads a delivery status notification (RFC 3464): the first
// recipient whose action is "failed", and the Message-ID of the message
// it concerns, from the returned message or its headers. It returns nil
// when no recipient failed (a "delayed" or "delivered" report).
func parseDSN(status, orig []byte) *Bounce {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(bytes.TrimLeft(status, "\r\n"), '\r', '\n', '\r', '\n'))))
	var b *Bounce
	// The first block is about the message, the next ones each about a
	// recipient.
	for i := 0; i < 100; i++ {
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 && strings.EqualFold(strings.TrimSpace(h.Get("Action")), "failed") {
			b = &Bounce{Recipient: afterType(h.Get("Final-Recipient")), Reason: strings.TrimSpace(strings.Join(strings.Fields(afterType(h.Get("Diagnostic-Code"))), " "))}
			if b.Reason == "" {
				b.Reason = "status " + strings.TrimSpace(h.Get("Status"))
			}
			break
		}
		if err != nil {
			break
		}
	}
	if b == nil {
		return nil
	}
	if len(orig) > 0 {
		hr := textproto.NewReader(bufio.NewReader(bytes.NewReader(orig)))
		if h, _ := hr.ReadMIMEHeader(); h != nil {
			b.MessageID = msgID(h.Get("Message-Id"))
		}
	}
	if len(b.Reason) > 500 {
		b.Reason = b.Reason[:500]
	}
	return b
}

// afterType drops the "rfc822;" or "smtp;" type of a DSN field.
func afterType(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(rest)
	}
	return strings.TrimSpace(v)
}
