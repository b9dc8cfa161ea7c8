package auth

import (
	"regexp"
	"strings"
	"testing"
)

func TestNewTokenFormat(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
	}{
		{"API token", APITokenPrefix},
		{"session", ""},
		{"longest prefix", "abcdefghij_12345"},
	}
	hexSHA256 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shape := regexp.MustCompile(`^` + regexp.QuoteMeta(tt.prefix) + `[a-z2-7]{52}$`)
			token, hash, err := NewToken(tt.prefix)
			if err != nil {
				t.Fatalf("NewToken(%q): %v", tt.prefix, err)
			}
			if !shape.MatchString(token) {
				t.Errorf("token = %q, want %q and 52 base32 characters", token, tt.prefix)
			}
			if !hexSHA256.MatchString(hash) {
				t.Errorf("hash = %q, want 64 hex digits", hash)
			}
			if got := HashToken(token); got != hash {
				t.Errorf("HashToken(token) = %q, want the hash NewToken returned, %q", got, hash)
			}
		})
	}
}

func TestNewTokenUnique(t *testing.T) {
	tokens := make(map[string]bool)
	hashes := make(map[string]bool)
	for range 10_000 {
		token, hash, err := NewToken(APITokenPrefix)
		if err != nil {
			t.Fatal(err)
		}
		if tokens[token] || hashes[hash] {
			t.Fatalf("NewToken repeated %q (hash %q)", token, hash)
		}
		tokens[token], hashes[hash] = true, true
	}
}

func TestNewTokenRejectsPrefix(t *testing.T) {
	tests := []string{
		"SPT_",
		"spt-",
		"spt ",
		"spt$",
		"sptè_",
		"abcdefghij_123456", // 17 bytes
		"\x00",
	}
	for _, prefix := range tests {
		t.Run(prefix, func(t *testing.T) {
			token, hash, err := NewToken(prefix)
			if err == nil || token != "" || hash != "" {
				t.Errorf("NewToken(%q) = %q, %q, %v; want an error and nothing else", prefix, token, hash, err)
			}
		})
	}
}

func TestHashToken(t *testing.T) {
	tests := []struct {
		token string
		want  string
	}{
		// FIPS 180-2 test vectors: the stored form is plain SHA-256.
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	for _, tt := range tests {
		if got := HashToken(tt.token); got != tt.want {
			t.Errorf("HashToken(%q) = %q, want %q", tt.token, got, tt.want)
		}
	}

	token, _, err := NewToken(APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := HashToken(token), HashToken(token); got != want {
		t.Errorf("HashToken is not deterministic: %q then %q", got, want)
	}
	// The prefix is part of what is hashed, and case matters: a token
	// altered in any way must not match.
	for _, other := range []string{
		strings.TrimPrefix(token, APITokenPrefix),
		strings.ToUpper(token),
		token[:len(token)-1],
		token + "a",
	} {
		if HashToken(other) == HashToken(token) {
			t.Errorf("HashToken(%q) equals HashToken(%q)", other, token)
		}
	}
}

func TestDisplayPrefix(t *testing.T) {
	tests := []struct {
		token string
		want  string
	}{
		{"spt_abcdefghijklmnop", "spt_abcd"},
		{"abcdefghijklmnop", "abcdefgh"},
		{"spt_abcde", "spt_abcd"},
		{"spt_abcd", ""}, // too short to be a token: show nothing
		{"spt_", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := DisplayPrefix(tt.token); got != tt.want {
			t.Errorf("DisplayPrefix(%q) = %q, want %q", tt.token, got, tt.want)
		}
	}
}

func BenchmarkHashToken(b *testing.B) {
	token, _, err := NewToken(APITokenPrefix)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		HashToken(token)
	}
}

func BenchmarkNewToken(b *testing.B) {
	for b.Loop() {
		if _, _, err := NewToken(APITokenPrefix); err != nil {
			b.Fatal(err)
		}
	}
}
