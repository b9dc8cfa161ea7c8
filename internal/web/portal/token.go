package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// A visitor token is "v1.<visitor id>.<issued, Unix seconds in base 36>.<mac>":
// the visitor id is 128 random bits in hex, and the mac an HMAC-SHA256,
// under the secret the store keeps, of the organisation, the id and the
// time. It is a bearer credential for one visitor of one organisation,
// checked without a database write; it expires TokenTTL after issue and
// is renewed (same id, new time) whenever a visitor comes back after a
// day.
const (
	tokenVersion = "v1"
	secretName   = "webchat_visitor"
	renewAfter   = 24 * time.Hour
	clockSkew    = 5 * time.Minute // a token "issued" this far ahead by another instance is still fine
)

// visitor is a verified (or freshly issued) token's content.
type visitor struct {
	ID     string
	Issued time.Time
	Token  string
	Fresh  bool // issued or renewed by this request: the client should keep Token
}

var (
	errNoToken  = &model.Error{Code: model.CodeUnauthorized, Key: "chat.session_expired", Message: "no visitor token"}
	errBadToken = &model.Error{Code: model.CodeUnauthorized, Key: "chat.session_expired", Message: "visitor token forged, damaged or expired"}
)

// keyring loads the signing secret from the store once, when first needed,
// and retries at the next request if the database was not reachable.
type keyring struct {
	st  *store.Store
	mu  sync.Mutex
	key []byte
}

func (k *keyring) get(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	key, err := k.st.Secret(ctx, secretName, 32)
	if err != nil {
		return nil, err
	}
	k.key = key
	return key, nil
}

// mac signs parts joined by NUL under the keyring's secret.
func (k *keyring) mac(ctx context.Context, parts ...string) ([]byte, error) {
	key, err := k.get(ctx)
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, key)
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum(nil), nil
}

// newVisitor issues a token for a new random visitor.
func (p *Portal) newVisitor(ctx context.Context, orgID int64) (visitor, error) {
	var b [16]byte
	rand.Read(b[:])
	return p.issue(ctx, orgID, hex.EncodeToString(b[:]))
}

// issue signs a token for visitor id, dated now.
func (p *Portal) issue(ctx context.Context, orgID int64, id string) (visitor, error) {
	now := p.opt.Now().Truncate(time.Second)
	at := strconv.FormatInt(now.Unix(), 36)
	sum, err := p.keys.mac(ctx, "visitor", strconv.FormatInt(orgID, 10), id, at)
	if err != nil {
		return visitor{}, err
	}
	tok := tokenVersion + "." + id + "." + at + "." + base64.RawURLEncoding.EncodeToString(sum)
	return visitor{ID: id, Issued: now, Token: tok, Fresh: true}, nil
}

// verify checks a token of the organisation; one over a day old comes
// back renewed (Fresh). A store failure is returned as is, not as a bad
// token, so that a database hiccup does not throw visitors out.
func (p *Portal) verify(ctx context.Context, orgID int64, tok string) (visitor, error) {
	if tok == "" {
		return visitor{}, errNoToken
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 4 || parts[0] != tokenVersion || len(parts[1]) != 32 || len(tok) > 200 {
		return visitor{}, errBadToken
	}
	if _, err := hex.DecodeString(parts[1]); err != nil || strings.ToLower(parts[1]) != parts[1] {
		return visitor{}, errBadToken
	}
	secs, err := strconv.ParseInt(parts[2], 36, 64)
	if err != nil {
		return visitor{}, errBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(parts[3])
	if err != nil {
		return visitor{}, errBadToken
	}
	want, err := p.keys.mac(ctx, "visitor", strconv.FormatInt(orgID, 10), parts[1], parts[2])
	if err != nil {
		return visitor{}, err
	}
	if !hmac.Equal(got, want) {
		return visitor{}, errBadToken
	}
	issued := time.Unix(secs, 0)
	now := p.opt.Now()
	if issued.After(now.Add(clockSkew)) || now.Sub(issued) > p.opt.TokenTTL {
		return visitor{}, errBadToken
	}
	v := visitor{ID: parts[1], Issued: issued, Token: tok}
	if now.Sub(issued) > renewAfter {
		return p.issue(ctx, orgID, v.ID)
	}
	return v, nil
}

// uploadRef names an uploaded file for the visitor who uploaded it: the
// attachment id and a mac binding it to them, so that a message can only
// carry the sender's own uploads.
func (p *Portal) uploadRef(ctx context.Context, orgID int64, visitorID string, attachmentID int64) (string, error) {
	id := strconv.FormatInt(attachmentID, 10)
	sum, err := p.keys.mac(ctx, "upload", strconv.FormatInt(orgID, 10), visitorID, id)
	if err != nil {
		return "", err
	}
	return id + "." + base64.RawURLEncoding.EncodeToString(sum[:16]), nil
}

// checkRef returns the attachment id of a ref the visitor was given, or
// false.
func (p *Portal) checkRef(ctx context.Context, orgID int64, visitorID, ref string) (int64, bool, error) {
	idText, _, ok := strings.Cut(ref, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 {
		return 0, false, nil
	}
	want, err := p.uploadRef(ctx, orgID, visitorID, id)
	if err != nil {
		return 0, false, err
	}
	return id, hmac.Equal([]byte(ref), []byte(want)), nil
}
