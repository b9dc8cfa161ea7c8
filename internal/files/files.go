// Package files keeps attachments on disk, under one directory that no
// stored key can lead out of.
//
// A file's storage key is chosen here, never derived from what the sender
// called it: <org>/<yyyy>/<mm>/<random hex>, relative to the directory. The
// sender's name is kept only for display, cleaned by CleanName. A file's
// type is sniffed from its bytes and must be on an allow-list; the declared
// type is not trusted. Whoever serves the files must still send
// "X-Content-Type-Options: nosniff" and "Content-Disposition: attachment"
// for anything but images, since plain text may look like markup.
package files

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// DefaultMaxSize is the largest file Put accepts unless Limits say
// otherwise.
const DefaultMaxSize = 10 << 20

// Limits bound what Put accepts.
type Limits struct {
	// MaxSize is the largest file in bytes; 0 means DefaultMaxSize.
	MaxSize int64
}

// Store keeps files under one directory. It is safe for concurrent use.
type Store struct {
	root   *os.Root
	limits Limits
}

// New opens the attachments directory dir (typically <data>/attachments),
// creating it if needed.
func New(dir string, limits Limits) (*Store, error) {
	if limits.MaxSize <= 0 {
		limits.MaxSize = DefaultMaxSize
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create attachments directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot open attachments directory: %w", err)
	}
	return &Store{root: root, limits: limits}, nil
}

// MaxSize is the largest file Put accepts.
func (s *Store) MaxSize() int64 { return s.limits.MaxSize }

// Close releases the directory.
func (s *Store) Close() error { return s.root.Close() }

// allowed maps each accepted media type to the type stored for it. Types
// that the sniffer names differently from how messaging providers do are
// translated here.
var allowed = map[string]string{
	"image/jpeg":      "image/jpeg",
	"image/png":       "image/png",
	"image/webp":      "image/webp",
	"image/gif":       "image/gif",
	"image/heic":      "image/heic",
	"application/pdf": "application/pdf",
	"application/ogg": "audio/ogg", // voice notes: Ogg Opus
	"audio/ogg":       "audio/ogg",
	"audio/mpeg":      "audio/mpeg",
	"audio/mp4":       "audio/mp4",
	"audio/amr":       "audio/amr",
	"audio/wave":      "audio/wav",
	"audio/wav":       "audio/wav",
	"video/mp4":       "video/mp4",
	"video/3gpp":      "video/3gpp",
	"text/plain":      "text/plain; charset=utf-8",
}

// containers are office documents the bytes show only as their container
// — a ZIP (OOXML, OpenDocument) or an OLE compound file (older Word and
// Excel) — whose kind the sender's declared type then names. Citizens
// and offices send forms and contracts this way.
var containers = map[string]string{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   "zip",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "zip",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "zip",
	"application/vnd.oasis.opendocument.text":                                   "zip",
	"application/vnd.oasis.opendocument.spreadsheet":                            "zip",
	"application/msword":       "ole",
	"application/vnd.ms-excel": "ole",
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniffLen is how much of a file the sniffer looks at.
const sniffLen = 512

// Put stores the content of r as a new file of organisation orgID and
// returns its description, ready for the database (no ID or CreatedAt
// yet). The content is streamed, hashed and counted into a temporary file,
// renamed into place only once complete and synced; on any failure no file
// is left behind. A file over the size limit fails with code too_large, one
// whose sniffed type is not on the allow-list with code invalid (key
// error.attachment.type). declaredType, what the sender claimed, only
// settles what the bytes cannot: audio in an MP4 container.
func (s *Store) Put(ctx context.Context, orgID int64, filename, declaredType string, r io.Reader) (model.Attachment, error) {
	if orgID <= 0 {
		return model.Attachment{}, fmt.Errorf("attachments: invalid organisation id %d", orgID)
	}
	// The type is known from the first bytes: refuse before writing any.
	r = ctxReader{ctx, r}
	head := make([]byte, sniffLen)
	hn, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return model.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	head = head[:hn]
	ctype, ok := sniff(head, declaredType)
	if !ok {
		return model.Attachment{}, &model.Error{
			Code:    model.CodeInvalid,
			Key:     "error.attachment.type",
			Args:    map[string]any{"Type": ctype},
			Field:   "file",
			Message: "files of type " + ctype + " are not accepted",
		}
	}

	now := time.Now().UTC()
	dirKey := fmt.Sprintf("%d/%04d/%02d", orgID, now.Year(), int(now.Month()))
	name := randomName()
	key := dirKey + "/" + name
	// The temporary file sits in the final directory, so the rename that
	// publishes it is atomic and a crash leaves at most a dot-file behind,
	// never a half-written file under a real key.
	dir := filepath.FromSlash(dirKey)
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := s.root.MkdirAll(dir, 0o750); err != nil {
		return model.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return model.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			_ = s.root.Remove(tmp)
		}
	}()

	h := sha256.New()
	// One byte past the limit tells a file of exactly the limit from a
	// larger one without reading the rest.
	body := io.LimitReader(io.MultiReader(bytes.NewReader(head), r), s.limits.MaxSize+1)
	n, err := io.Copy(io.MultiWriter(f, h), body)
	if err != nil {
		return model.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	if n > s.limits.MaxSize {
		return model.Attachment{}, &model.Error{
			Code:    model.CodeTooLarge,
			Key:     "error.attachment.too_large",
			Args:    map[string]any{"Limit": formatSize(s.limits.MaxSize)},
			Message: "file is larger than " + formatSize(s.limits.MaxSize),
		}
	}
	if err := f.Sync(); err != nil {
		return model.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	if err := f.Close(); err != nil {
		return model.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	if err := s.root.Rename(tmp, filepath.FromSlash(key)); err != nil {
		return model.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	done = true
	// The rename is durable once the directory is synced too.
	if d, err := s.root.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return model.Attachment{
		OrgID:       orgID,
		Filename:    CleanName(filename),
		ContentType: ctype,
		Size:        n,
		SHA256:      hex.EncodeToString(h.Sum(nil)),
		StorageKey:  key,
	}, nil
}

// Open opens the file with the given storage key for reading. A key that
// is malformed or leads outside the directory is refused; a missing file
// is not-found.
func (s *Store) Open(key string) (*os.File, error) {
	name, err := checkKey(key)
	if err != nil {
		return nil, err
	}
	f, err := s.root.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			e := model.NotFound("attachment")
			e.Err = err
			return nil, e
		}
		return nil, fmt.Errorf("attachments: %w", err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, badKey(key)
	}
	return f, nil
}

// Remove deletes the file with the given storage key. Removing a file that
// is already gone is not an error.
func (s *Store) Remove(key string) error {
	name, err := checkKey(key)
	if err != nil {
		return err
	}
	if st, err := s.root.Lstat(name); err == nil && st.IsDir() {
		return badKey(key)
	}
	if err := s.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("attachments: %w", err)
	}
	return nil
}

// checkKey refuses keys that could not have come from Put: empty,
// absolute, with "..", backslashes or other oddities. os.Root would stop
// an escape anyway; this says so before touching the disk.
func checkKey(key string) (string, error) {
	if key == "" || strings.ContainsAny(key, "\\\x00") || path.IsAbs(key) || path.Clean(key) != key ||
		!filepath.IsLocal(filepath.FromSlash(key)) {
		return "", badKey(key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == ".." || part == "." {
			return "", badKey(key)
		}
	}
	return filepath.FromSlash(key), nil
}

func badKey(key string) error {
	return &model.Error{Code: model.CodeInvalid, Key: "error.attachment.key", Field: "key", Message: fmt.Sprintf("invalid storage key %q", key)}
}

// sniff returns the type to store for a file starting with head, and
// whether it is allowed. The declared type only settles what the bytes
// cannot: an MP4 container holding only sound.
func sniff(head []byte, declared string) (string, bool) {
	ctype := http.DetectContentType(head)
	switch {
	case bytes.HasPrefix(head, []byte("#!AMR\n")):
		ctype = "audio/amr"
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		// The sniffer knows only the "mp4" brands; phones also send
		// 3GPP video and M4A audio.
		switch brand := string(head[8:12]); {
		case strings.HasPrefix(brand, "3gp"), strings.HasPrefix(brand, "3g2"):
			ctype = "video/3gpp"
		case brand == "M4A ":
			ctype = "audio/mp4"
		case brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1":
			ctype = "image/heic" // iPhones' photos
		case ctype == "video/mp4" || brand == "isom" || brand == "iso2" || brand == "mp41" || brand == "mp42":
			ctype = "video/mp4"
		}
	}
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return ctype, false
	}
	if d, _, err := mime.ParseMediaType(declared); err == nil {
		switch containers[d] {
		case "zip":
			if mt == "application/zip" {
				return d, true
			}
		case "ole":
			if bytes.HasPrefix(head, oleMagic) {
				return d, true
			}
		}
	}
	if mt == "video/mp4" {
		if d, _, err := mime.ParseMediaType(declared); err == nil && d == "audio/mp4" {
			mt = d
		}
	}
	stored, ok := allowed[mt]
	if !ok {
		return mt, false
	}
	return stored, true
}

// randomName returns 128 random bits in hex: unguessable and unique.
func randomName() string {
	var b [16]byte
	rand.Read(b[:]) // never fails since Go 1.24
	return hex.EncodeToString(b[:])
}

// formatSize writes a byte count the way people read it: 10 MB, 512 KB.
func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ctxReader stops a long upload when its request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
