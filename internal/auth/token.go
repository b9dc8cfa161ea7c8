package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
)

// APITokenPrefix marks API tokens, so that people, logs and secret scanners
// can tell what a leaked string is.
const APITokenPrefix = "spt_"

// tokenBytes is the entropy of a token: 256 bits, far past guessing, which is
// why a plain SHA-256 is enough to store it (unlike a password).
const tokenBytes = 32

// displayPrefixLen is how much of a token may be shown when listing tokens.
const displayPrefixLen = 8

// maxTokenPrefixLen keeps prefixes short labels rather than payloads.
const maxTokenPrefixLen = 16

// tokenEncoding is lower-case base32 without padding: letters and digits
// only, so a token survives double-click selection, URLs and headers
// untouched.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewToken returns a fresh opaque secret, prefix followed by 52 base32
// characters of 32 random bytes, and the hash to store in its place. Show the
// token once; keep only the hash. Use APITokenPrefix for API tokens and ""
// for session cookies. The prefix may hold only a-z, 0-9 and '_', at most 16
// of them.
func NewToken(prefix string) (token, hash string, err error) {
	if len(prefix) > maxTokenPrefixLen {
		return "", "", fmt.Errorf("auth: token prefix %q longer than %d", prefix, maxTokenPrefixLen)
	}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return "", "", fmt.Errorf("auth: token prefix %q: only a-z, 0-9 and _ allowed", prefix)
		}
	}
	var b [tokenBytes]byte
	rand.Read(b[:]) // never fails since Go 1.24; it crashes the program instead
	token = prefix + tokenEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken returns the stored form of a token: the hex SHA-256 of the whole
// string, prefix included. The store finds a token by this hash, so checking
// one never compares secrets byte by byte.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// DisplayPrefix returns the first 8 characters of a token, for lists where a
// person must tell tokens apart. With APITokenPrefix that is the prefix plus
// 20 of the token's 256 random bits: nothing an attacker can use.
func DisplayPrefix(token string) string {
	if len(token) <= displayPrefixLen {
		// Never echo a whole string that is too short to be one of our
		// tokens: it may be a secret of some other kind.
		return ""
	}
	return token[:displayPrefixLen]
}
