package files_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/model"
)

func newStore(t *testing.T, limits files.Limits) (*files.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "attachments")
	s, err := files.New(dir, limits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

// filesIn lists the files (not directories) under dir, relative to it.
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantError(t *testing.T, what string, err error, code model.Code, key string) {
	t.Helper()
	e, ok := model.AsError(err)
	if !ok {
		t.Errorf("%s: error %v, want a domain error %s/%s", what, err, code, key)
		return
	}
	if e.Code != code || e.Key != key {
		t.Errorf("%s: error %s/%s, want %s/%s", what, e.Code, e.Key, code, key)
	}
}

var keyRE = regexp.MustCompile(`^7/[0-9]{4}/[0-9]{2}/[0-9a-f]{32}$`)

func TestPutOpenRemove(t *testing.T) {
	s, dir := newStore(t, files.Limits{})
	ctx := context.Background()
	content := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 100_000)...)
	a, err := s.Put(ctx, 7, `C:\Users\amina\Documents\permesso di soggiorno.pdf`, "application/octet-stream", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	want := model.Attachment{OrgID: 7, Filename: "permesso di soggiorno.pdf", ContentType: "application/pdf",
		Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), StorageKey: a.StorageKey}
	if a != want {
		t.Errorf("Put = %+v, want %+v", a, want)
	}
	if !keyRE.MatchString(a.StorageKey) {
		t.Errorf("storage key %q, want <org>/<yyyy>/<mm>/<32 hex>", a.StorageKey)
	}
	if got := filesIn(t, dir); len(got) != 1 || got[0] != a.StorageKey {
		t.Errorf("files on disk %v, want only %s", got, a.StorageKey)
	}

	f, err := s.Open(a.StorageKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Errorf("Open read %d bytes, want the %d stored", len(got), len(content))
	}

	b, err := s.Put(ctx, 7, "again.pdf", "", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if b.StorageKey == a.StorageKey {
		t.Errorf("two uploads share the key %s", a.StorageKey)
	}

	if err := s.Remove(a.StorageKey); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(a.StorageKey); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("Open after Remove: %v, want not found", err)
	}
	if err := s.Remove(a.StorageKey); err != nil {
		t.Errorf("Remove twice: %v", err)
	}
}

func TestPutSizeLimit(t *testing.T) {
	tests := []struct {
		name      string
		limits    files.Limits
		size      int
		wantLimit string // "" when the file fits
	}{
		{"at the limit", files.Limits{MaxSize: 1024}, 1024, ""},
		{"one byte over", files.Limits{MaxSize: 1024}, 1025, "1 KB"},
		{"far over", files.Limits{MaxSize: 1024}, 1 << 20, "1 KB"},
		{"over the default", files.Limits{}, files.DefaultMaxSize + 1, "10 MB"},
		{"at the default", files.Limits{}, files.DefaultMaxSize, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := newStore(t, tt.limits)
			a, err := s.Put(context.Background(), 7, "notes.txt", "text/plain", strings.NewReader(strings.Repeat("a", tt.size)))
			if tt.wantLimit == "" {
				if err != nil {
					t.Fatal(err)
				}
				if a.Size != int64(tt.size) {
					t.Errorf("size %d, want %d", a.Size, tt.size)
				}
				return
			}
			wantError(t, "Put", err, model.CodeTooLarge, "error.attachment.too_large")
			if e, ok := model.AsError(err); ok && e.Args["Limit"] != tt.wantLimit {
				t.Errorf("Limit argument %v, want %q", e.Args["Limit"], tt.wantLimit)
			}
			if got := filesIn(t, dir); len(got) != 0 {
				t.Errorf("files left after refusal: %v", got)
			}
		})
	}
}

// ftyp returns the start of an ISO media file of the given major brand.
func ftyp(brand string) []byte {
	b := binary.BigEndian.AppendUint32(nil, 24)
	b = append(b, "ftyp"+brand+"\x00\x00\x00\x00"+brand+"isom"...)
	return append(b, make([]byte, 64)...)
}

func TestPutTypes(t *testing.T) {
	tests := []struct {
		name     string
		content  []byte
		declared string
		want     string // "" when refused
	}{
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "", "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "", "image/png"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "", "image/gif"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "", "image/webp"},
		{"pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3"), "", "application/pdf"},
		{"ogg voice note", []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00OpusHead"), "", "audio/ogg"},
		{"mp3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), "", "audio/mpeg"},
		{"wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), "", "audio/wav"},
		{"amr", []byte("#!AMR\n\x3c\x00\x00"), "", "audio/amr"},
		{"mp4", ftyp("mp42"), "", "video/mp4"},
		{"mp4 declared audio", ftyp("mp42"), "audio/mp4", "audio/mp4"},
		{"m4a", ftyp("M4A "), "", "audio/mp4"},
		{"3gp", ftyp("3gp4"), "video/mp4", "video/3gpp"},
		{"text", []byte("Buongiorno, allego il documento."), "text/plain", "text/plain; charset=utf-8"},
		{"html declared as text", []byte("<!DOCTYPE html><script>alert(1)</script>"), "text/plain", ""},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "image/svg+xml", ""},
		{"zip declared as pdf", []byte("PK\x03\x04\x14\x00\x00\x00"), "application/pdf", ""},
		{"windows program", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), "image/png", ""},
		{"quicktime", ftyp("qt  "), "video/mp4", ""},
		{"unknown binary", []byte{0, 1, 2, 3, 4, 5}, "image/jpeg", ""},
		{"heic photo", ftyp("heic"), "image/heic", "image/heic"},
		{"docx", []byte("PK\x03\x04\x14\x00\x06\x00"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"odt", []byte("PK\x03\x04\x14\x00\x00\x08"), "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text"},
		{"old word", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), "application/msword", "application/msword"},
		{"zip declared as zip", []byte("PK\x03\x04\x14\x00\x00\x00"), "application/zip", ""},
		{"program declared as docx", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""},
		{"zip declared as old word", []byte("PK\x03\x04\x14\x00\x00\x00"), "application/msword", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := newStore(t, files.Limits{})
			a, err := s.Put(context.Background(), 7, "upload", tt.declared, bytes.NewReader(tt.content))
			if tt.want == "" {
				wantError(t, "Put", err, model.CodeInvalid, "error.attachment.type")
				if got := filesIn(t, dir); len(got) != 0 {
					t.Errorf("files left after refusal: %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.ContentType != tt.want {
				t.Errorf("content type %q, want %q", a.ContentType, tt.want)
			}
		})
	}
}

func TestPutCancelled(t *testing.T) {
	s, dir := newStore(t, files.Limits{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, 7, "a.txt", "", strings.NewReader("hello")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: %v, want context.Canceled", err)
	}
	if got := filesIn(t, dir); len(got) != 0 {
		t.Errorf("files left after cancellation: %v", got)
	}
}

func TestKeysConfinedToRoot(t *testing.T) {
	s, dir := newStore(t, files.Limits{})
	outside := filepath.Join(filepath.Dir(dir), "secret.txt")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "7"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "7", "abs-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../secret.txt", filepath.Join(dir, "7", "rel-link")); err != nil {
		t.Fatal(err)
	}

	bad := []string{
		"",
		"../secret.txt",
		"7/../../secret.txt",
		"7/2026/03/../../../../secret.txt",
		outside,
		"/etc/passwd",
		`..\secret.txt`,
		`7\..\..\secret.txt`,
		"./7/x",
		"7//x",
		"7/x/",
		"7/x\x00",
		".",
		"7",
	}
	for _, key := range bad {
		if f, err := s.Open(key); err == nil {
			f.Close()
			t.Errorf("Open(%q) succeeded", key)
		} else if e, ok := model.AsError(err); !ok || e.Code == model.CodeNotFound {
			// Not found would mean the key was tried on disk.
			t.Errorf("Open(%q) = %v, want it refused", key, err)
		}
		if err := s.Remove(key); err == nil {
			t.Errorf("Remove(%q) succeeded", key)
		}
	}
	// Symbolic links out of the root are refused by os.Root itself.
	for _, key := range []string{"7/abs-link", "7/rel-link"} {
		if f, err := s.Open(key); err == nil {
			f.Close()
			t.Errorf("Open(%q) followed a link out of the root", key)
		}
	}
	if b, err := os.ReadFile(outside); err != nil || string(b) != "secret" {
		t.Errorf("file outside the root changed: %q, %v", b, err)
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"permesso.pdf", "permesso.pdf"},
		{"  spazi  .pdf  ", "spazi  .pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Windows\system32\cmd.exe`, "cmd.exe"},
		{"dir/", "file"},
		{"", "file"},
		{"..", "file"},
		{".", "file"},
		{"/", "file"},
		{"a\x00b\nc\td\x7f.txt", "abcd.txt"},
		{"fattura\u202Efdp.exe", "fatturafdp.exe"},
		{"zero\u200Bwidth.png", "zerowidth.png"},
		{"line\u2028break.txt", "linebreak.txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{"وثيقة.pdf", "وثيقة.pdf"},
		{"\u00a0.pdf\u00a0", ".pdf"},
		{strings.Repeat("é", 300) + ".pdf", strings.Repeat("é", 196) + ".pdf"},
		{strings.Repeat("a", 300), strings.Repeat("a", 200)},
		{strings.Repeat("a", 195) + "    b.jpeg", strings.Repeat("a", 195) + ".jpeg"},
		{"x." + strings.Repeat("e", 250), "x." + strings.Repeat("e", 198)},
	}
	for _, tt := range tests {
		if got := files.CleanName(tt.in); got != tt.want {
			t.Errorf("CleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"a.pdf", "../x", `a\b`, "\u202E", " . ", strings.Repeat("ü", 250) + ".txt", "\xff\xfe", "a/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := files.CleanName(in)
		if !utf8.ValidString(got) {
			t.Fatalf("CleanName(%q) = %q: not UTF-8", in, got)
		}
		if n := utf8.RuneCountInString(got); n == 0 || n > 200 {
			t.Fatalf("CleanName(%q) = %q: %d runes", in, got, n)
		}
		if got == "." || got == ".." || strings.ContainsAny(got, `/\`) {
			t.Fatalf("CleanName(%q) = %q: a path", in, got)
		}
		if strings.TrimSpace(got) != got {
			t.Fatalf("CleanName(%q) = %q: untrimmed", in, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
				t.Fatalf("CleanName(%q) = %q: holds %U", in, got, r)
			}
		}
		if again := files.CleanName(got); again != got {
			t.Fatalf("CleanName not idempotent: %q -> %q -> %q", in, got, again)
		}
	})
}
