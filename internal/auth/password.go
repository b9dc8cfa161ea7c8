package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/sportello/sportello/internal/model"
)

// Password policy bounds, checked by ValidatePassword. The upper bound is in
// bytes because that is what costs us; it still admits any passphrase a
// person would type.
const (
	MinPasswordLen   = 10  // characters (runes)
	MaxPasswordBytes = 256 // bytes of UTF-8
)

// Ceilings on what a stored hash may ask of us. A hash string comes from the
// database, an import or a restore; a corrupt or hostile one must not make a
// login allocate gigabytes or spin for minutes. The memory ceiling leaves
// room to raise the defaults fourfold.
const (
	maxMemoryKiB   = 256 * 1024 // 256 MiB
	maxIterations  = 16
	maxParallelism = 16
	minSaltLen     = 8 // RFC 9106 §3.1: at least 8 bytes
	maxSaltLen     = 64
	minKeyLen      = 16
	maxKeyLen      = 64
	// maxEncodedLen bounds the string before any parsing; the longest valid
	// hash under the ceilings above is about 210 bytes.
	maxEncodedLen = 256
)

// ErrInvalidHash reports a stored password hash that is not an argon2id PHC
// string within our bounds. It means corrupt or foreign data, not a wrong
// password.
var ErrInvalidHash = errors.New("auth: invalid password hash")

// b64 is the PHC string encoding: standard alphabet, no padding. Strict
// rejects non-zero trailing bits, so each hash has exactly one spelling.
var b64 = base64.RawStdEncoding.Strict()

// PasswordParams are argon2id cost parameters. Stored hashes carry their own
// parameters, so changing these affects new hashes only; Verify reports
// older, weaker hashes for rehashing at the next login.
type PasswordParams struct {
	MemoryKiB   uint32 // m: memory in KiB
	Iterations  uint32 // t: passes over the memory
	Parallelism uint8  // p: lanes
	SaltLen     uint32 // bytes of random salt
	KeyLen      uint32 // bytes of derived key (the tag)
}

// DefaultPasswordParams returns the cost for stored passwords: argon2id with
// m=64 MiB, t=2, p=2, a 16-byte salt and a 32-byte tag.
//
// RFC 9106 §4 recommends t=1, p=4, 2 GiB, or where memory is scarce t=3,
// p=4, 64 MiB, and otherwise tailoring: fix the lanes and the memory the
// server can spare, then raise t to fill the time budget. A desk runs on a
// small shared VM where several logins may arrive at once, so we take the
// RFC's constrained-memory figure of 64 MiB with two lanes and two passes:
// about 70 ms per login on a two-core VM. That is over three times the
// memory of the OWASP Password Storage Cheat Sheet minimum (19 MiB, t=2,
// p=1). Salt and tag sizes are the RFC's (128 and 256 bits). Parallelism is
// a throughput choice, not a strength one, and does not trigger rehashing.
// Each verification holds 64 MiB while it runs, so the caller should bound
// how many run at once.
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{MemoryKiB: 64 * 1024, Iterations: 2, Parallelism: 2, SaltLen: 16, KeyLen: 32}
}

// TestPasswordParams returns the cheapest valid parameters, so that tests in
// other packages can create users in microseconds. Never store a real
// password with them: Verify flags such hashes for rehashing against any
// sensible target.
func TestPasswordParams() PasswordParams {
	return PasswordParams{MemoryKiB: 8, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}
}

// Validate reports parameters outside the bounds Verify accepts, so that a
// configured cost is rejected at startup rather than at the first login.
func (p PasswordParams) Validate() error {
	if problem := p.problem(); problem != "" {
		return fmt.Errorf("auth: password params: %s", problem)
	}
	return nil
}

func (p PasswordParams) problem() string {
	switch {
	case p.Parallelism < 1 || p.Parallelism > maxParallelism:
		return fmt.Sprintf("parallelism %d outside 1..%d", p.Parallelism, maxParallelism)
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Sprintf("iterations %d outside 1..%d", p.Iterations, maxIterations)
	// Argon2 needs 8 KiB per lane (RFC 9106 §3.1).
	case p.MemoryKiB < 8*uint32(p.Parallelism) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Sprintf("memory %d KiB outside %d..%d", p.MemoryKiB, 8*uint32(p.Parallelism), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Sprintf("salt length %d outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Sprintf("key length %d outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return ""
}

// weakerThan reports whether a hash made with p costs an attacker less than
// one made with target.
func (p PasswordParams) weakerThan(target PasswordParams) bool {
	return p.MemoryKiB < target.MemoryKiB ||
		p.Iterations < target.Iterations ||
		p.SaltLen < target.SaltLen ||
		p.KeyLen < target.KeyLen
}

// HashPassword returns the argon2id PHC string of pw with a fresh random
// salt. It does not apply the password policy: call ValidatePassword first
// for passwords a person chose.
func HashPassword(pw string, p PasswordParams) (string, error) {
	if pw == "" {
		// Nobody should be able to log in with an empty password, whatever
		// the caller forgot to check.
		return "", errors.New("auth: hash password: empty password")
	}
	if err := p.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails since Go 1.24; it crashes the program instead
	key := argon2.IDKey([]byte(pw), salt, p.Iterations, p.MemoryKiB, p.Parallelism, p.KeyLen)
	return encodeHash(p, salt, key), nil
}

// VerifyPassword reports whether pw matches the encoded hash, and whether
// the hash is weaker than DefaultPasswordParams and should be replaced by a
// fresh HashPassword while the plain password is at hand. A wrong password is
// (false, false, nil); err is non-nil only for a hash that cannot be used,
// and then wraps ErrInvalidHash.
func VerifyPassword(pw, encoded string) (ok, needsRehash bool, err error) {
	return DefaultPasswordParams().Verify(pw, encoded)
}

// Verify is VerifyPassword with target, typically the configured cost, as
// the yardstick for needsRehash. Rehashing happens only upward: a hash
// stronger than target is left alone.
func (target PasswordParams) Verify(pw, encoded string) (ok, needsRehash bool, err error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Iterations, p.MemoryKiB, p.Parallelism, p.KeyLen)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, p.weakerThan(target), nil
}

func encodeHash(p PasswordParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Iterations, p.Parallelism,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodeHash parses the PHC string that encodeHash writes, and only that
// spelling: the fields in order, decimal numbers without leading zeros,
// canonical base64. Anything else is an error wrapping ErrInvalidHash.
func decodeHash(s string) (p PasswordParams, salt, key []byte, err error) {
	if len(s) > maxEncodedLen {
		return p, nil, nil, invalidHash("%d bytes long, over %d", len(s), maxEncodedLen)
	}
	// base64 decoding skips line breaks; refuse them and any other byte a
	// PHC string cannot hold, so that one hash has one spelling.
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return p, nil, nil, invalidHash("byte %#02x at %d", s[i], i)
		}
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, invalidHash("not a PHC string")
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, invalidHash("algorithm %q is not argon2id", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, invalidHash("version %q is not v=%d", parts[2], argon2.Version)
	}
	m, t, par, ok := parseCost(parts[3])
	if !ok {
		return p, nil, nil, invalidHash("parameters %q are not m=<n>,t=<n>,p=<n>", parts[3])
	}
	if par > maxParallelism { // before narrowing to uint8
		return p, nil, nil, invalidHash("parallelism %d over %d", par, maxParallelism)
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, invalidHash("salt: %v", err)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return p, nil, nil, invalidHash("key: %v", err)
	}
	p = PasswordParams{
		MemoryKiB:   m,
		Iterations:  t,
		Parallelism: uint8(par),
		SaltLen:     uint32(len(salt)),
		KeyLen:      uint32(len(key)),
	}
	if problem := p.problem(); problem != "" {
		return PasswordParams{}, nil, nil, invalidHash("%s", problem)
	}
	return p, salt, key, nil
}

func parseCost(s string) (m, t, p uint32, ok bool) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return 0, 0, 0, false
	}
	var out [3]uint32
	for i, name := range [3]string{"m=", "t=", "p="} {
		digits, found := strings.CutPrefix(fields[i], name)
		if !found {
			return 0, 0, 0, false
		}
		if out[i], ok = parseDecimal(digits); !ok {
			return 0, 0, 0, false
		}
	}
	return out[0], out[1], out[2], true
}

// parseDecimal accepts what PHC allows: ASCII digits, no sign, no leading
// zero, fitting in 32 bits.
func parseDecimal(s string) (uint32, bool) {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err == nil
}

func invalidHash(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidHash}, args...)...)
}

// ValidatePassword applies the password policy to a password a person chose:
// at least MinPasswordLen characters and at most MaxPasswordBytes bytes. It
// returns a model.Invalid error on the "password" field.
func ValidatePassword(pw string) error {
	if len(pw) > MaxPasswordBytes {
		return model.Invalid("password", "error.password.too_long",
			fmt.Sprintf("password is longer than %d bytes", MaxPasswordBytes),
			map[string]any{"Limit": MaxPasswordBytes})
	}
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return model.Invalid("password", "error.password.too_short",
			fmt.Sprintf("password is shorter than %d characters", MinPasswordLen),
			map[string]any{"Min": MinPasswordLen})
	}
	return nil
}

// passwordAlphabet has no look-alikes: no 0/o, 1/l/i. Lower case only, so
// nobody has to guess whether a letter was a capital.
const passwordAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// GeneratePassword returns a random password to read out or copy by hand,
// such as "k7m2q-9xrtd-ah4nw-e8pz3": four groups of five characters from a
// 31-symbol alphabet, 20·log2(31) ≈ 99 bits.
func GeneratePassword() string {
	const groups, groupLen = 4, 5
	// Rejection sampling keeps every symbol equally likely: 248 is the
	// largest multiple of 31 not over 256.
	const limit = 256 - 256%len(passwordAlphabet)
	out := make([]byte, 0, groups*groupLen+groups-1)
	n := 0
	var buf [32]byte
	for n < groups*groupLen {
		rand.Read(buf[:])
		for _, b := range buf {
			if n == groups*groupLen {
				break
			}
			if int(b) >= limit {
				continue
			}
			if n > 0 && n%groupLen == 0 {
				out = append(out, '-')
			}
			out = append(out, passwordAlphabet[int(b)%len(passwordAlphabet)])
			n++
		}
	}
	return string(out)
}
