package email

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// TestComposeGenerated writes what the desk sends on its own (a
// transcript): marked auto-generated, in its language, the text and the
// HTML as alternatives, with or without files after them.
func TestComposeGenerated(t *testing.T) {
	for _, files := range []int{0, 1} {
		out := channel.Outbound{To: model.Identity{Kind: model.IdentityEmail, Value: "amina@example.org"}, Subject: "محادثتك",
			Text: "نص\r\nsecond line", HTML: "<p>نص</p>", Generated: true, Language: "ar"}
		for range files {
			out.Attachments = append(out.Attachments, channel.File{Name: "a.pdf", ContentType: "application/pdf",
				Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("%PDF-1.4")), nil }})
		}
		raw, err := Compose("desk@example.org", out, "id@example.org", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		mr, err := mail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		h := mr.Header
		if h.Get("Auto-Submitted") != "auto-generated" || h.Get("Content-Language") != "ar" {
			t.Errorf("files %d: Auto-Submitted %q, Content-Language %q", files, h.Get("Auto-Submitted"), h.Get("Content-Language"))
		}
		wantType := "multipart/alternative"
		if files > 0 {
			wantType = "multipart/mixed"
		}
		if ct, _, _ := h.ContentType(); ct != wantType {
			t.Errorf("files %d: Content-Type %s, want %s", files, ct, wantType)
		}
		var got []string
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(p.Body)
			switch ph := p.Header.(type) {
			case *mail.InlineHeader:
				ct, _, _ := ph.ContentType()
				got = append(got, ct+": "+string(b))
			case *mail.AttachmentHeader:
				name, _ := ph.Filename()
				got = append(got, "file: "+name)
			}
		}
		want := []string{"text/plain: نص\r\nsecond line", "text/html: <p>نص</p>"}
		if files > 0 {
			want = append(want, "file: a.pdf")
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("files %d: parts %q, want %q", files, got, want)
		}
	}
}
