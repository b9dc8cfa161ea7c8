package auth

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
)

// phcPattern is the shape HashPassword must write.
var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=[1-9][0-9]*,t=[1-9][0-9]*,p=[1-9][0-9]*\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)

func TestHashVerifyRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		pw   string
	}{
		{"ascii", "correct horse battery staple"},
		{"italian", "perché-càpita-così"},
		{"arabic", "كلمة المرور السرية"},
		{"spaces only", "          "},
		{"max bytes", strings.Repeat("x", MaxPasswordBytes)},
		{"nul byte", "pass\x00word!!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := HashPassword(tt.pw, TestPasswordParams())
			if err != nil {
				t.Fatalf("HashPassword: %v", err)
			}
			if !phcPattern.MatchString(encoded) {
				t.Errorf("HashPassword = %q, not a PHC argon2id string", encoded)
			}

			ok, _, err := VerifyPassword(tt.pw, encoded)
			if err != nil || !ok {
				t.Errorf("VerifyPassword(right password) = %v, %v; want true, nil", ok, err)
			}
			for _, wrong := range []string{tt.pw + "x", tt.pw[:len(tt.pw)-1], strings.ToUpper(tt.pw) + "!", ""} {
				ok, rehash, err := VerifyPassword(wrong, encoded)
				if ok || rehash || err != nil {
					t.Errorf("VerifyPassword(%q) = %v, %v, %v; want false, false, nil", wrong, ok, rehash, err)
				}
			}
		})
	}
}

func TestHashPasswordDefaultParams(t *testing.T) {
	encoded, err := HashPassword("correct horse battery staple", DefaultPasswordParams())
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if got, want := encoded, "$argon2id$v=19$m=65536,t=2,p=2$"; !strings.HasPrefix(got, want) {
		t.Errorf("HashPassword = %q, want prefix %q", got, want)
	}
	// 16 bytes of salt and 32 of key in unpadded base64.
	parts := strings.Split(encoded, "$")
	if got, want := len(parts[4]), 22; got != want {
		t.Errorf("salt is %d base64 chars, want %d", got, want)
	}
	if got, want := len(parts[5]), 43; got != want {
		t.Errorf("key is %d base64 chars, want %d", got, want)
	}
	ok, rehash, err := VerifyPassword("correct horse battery staple", encoded)
	if !ok || rehash || err != nil {
		t.Errorf("VerifyPassword = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashPasswordSaltsDiffer(t *testing.T) {
	a, err := HashPassword("same password", TestPasswordParams())
	if err != nil {
		t.Fatal(err)
	}
	b, err := HashPassword("same password", TestPasswordParams())
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of one password are both %q; want different salts", a)
	}
}

func TestHashPasswordRejects(t *testing.T) {
	good := TestPasswordParams()
	with := func(change func(*PasswordParams)) PasswordParams {
		p := good
		change(&p)
		return p
	}
	tests := []struct {
		name string
		pw   string
		p    PasswordParams
	}{
		{"empty password", "", good},
		{"zero params", "password123", PasswordParams{}},
		{"no iterations", "password123", with(func(p *PasswordParams) { p.Iterations = 0 })},
		{"too many iterations", "password123", with(func(p *PasswordParams) { p.Iterations = maxIterations + 1 })},
		{"no lanes", "password123", with(func(p *PasswordParams) { p.Parallelism = 0 })},
		{"too many lanes", "password123", with(func(p *PasswordParams) { p.Parallelism = maxParallelism + 1 })},
		{"memory under 8 KiB per lane", "password123", with(func(p *PasswordParams) { p.Parallelism = 2; p.MemoryKiB = 15 })},
		{"memory over the ceiling", "password123", with(func(p *PasswordParams) { p.MemoryKiB = maxMemoryKiB + 1 })},
		{"short salt", "password123", with(func(p *PasswordParams) { p.SaltLen = minSaltLen - 1 })},
		{"long salt", "password123", with(func(p *PasswordParams) { p.SaltLen = maxSaltLen + 1 })},
		{"short key", "password123", with(func(p *PasswordParams) { p.KeyLen = minKeyLen - 1 })},
		{"long key", "password123", with(func(p *PasswordParams) { p.KeyLen = maxKeyLen + 1 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HashPassword(tt.pw, tt.p)
			if err == nil {
				t.Errorf("HashPassword(%q, %+v) = %q, nil; want an error", tt.pw, tt.p, got)
			}
		})
	}
}

func TestPasswordParamsValidate(t *testing.T) {
	tests := []struct {
		name string
		p    PasswordParams
	}{
		{"default", DefaultPasswordParams()},
		{"test", TestPasswordParams()},
		{"RFC 9106 second option", PasswordParams{MemoryKiB: 64 * 1024, Iterations: 3, Parallelism: 4, SaltLen: 16, KeyLen: 32}},
		{"OWASP minimum", PasswordParams{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}},
		{"ceilings", PasswordParams{MemoryKiB: maxMemoryKiB, Iterations: maxIterations, Parallelism: maxParallelism, SaltLen: maxSaltLen, KeyLen: maxKeyLen}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(); err != nil {
				t.Errorf("Validate(%+v) = %v, want nil", tt.p, err)
			}
		})
	}
}

func TestVerifyPasswordTampered(t *testing.T) {
	const pw = "correct horse battery staple"
	encoded, err := HashPassword(pw, TestPasswordParams())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(encoded, "$") // "", alg, version, params, salt, key
	// flip replaces the first character of s by another base64 digit that
	// keeps the encoding canonical (the first character has no spare bits).
	flip := func(s string) string {
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	tests := []struct {
		name    string
		encoded string
	}{
		{"salt changed", strings.Join([]string{"", parts[1], parts[2], parts[3], flip(parts[4]), parts[5]}, "$")},
		{"key changed", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], flip(parts[5])}, "$")},
		{"iterations changed", strings.Join([]string{"", parts[1], parts[2], "m=8,t=2,p=1", parts[4], parts[5]}, "$")},
		{"memory changed", strings.Join([]string{"", parts[1], parts[2], "m=16,t=1,p=1", parts[4], parts[5]}, "$")},
		{"lanes changed", strings.Join([]string{"", parts[1], parts[2], "m=16,t=1,p=2", parts[4], parts[5]}, "$")},
		{"salt and key swapped", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[5], parts[4]}, "$")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(pw, tt.encoded)
			if ok || rehash || err != nil {
				t.Errorf("VerifyPassword(%q) = %v, %v, %v; want false, false, nil", tt.encoded, ok, rehash, err)
			}
		})
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	// Valid pieces to build variants from: 16 bytes of salt, 32 of key.
	const (
		salt = "c29tZXNhbHRzb21lc2FsdA"
		key  = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA"
	)
	valid := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	if _, _, err := VerifyPassword("x", valid); err != nil {
		t.Fatalf("the template %q is rejected: %v", valid, err)
	}
	with := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }
	tests := []struct {
		name    string
		encoded string
	}{
		{"empty", ""},
		{"dollar", "$"},
		{"plain text", "hunter2"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"upper-case algorithm", "$ARGON2ID$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"version missing", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"no leading dollar", valid[1:]},
		{"trailing dollar", valid + "$"},
		{"extra field", valid + "$" + key},
		{"key missing", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"key empty", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"salt empty", "$argon2id$v=19$m=64,t=1,p=1$$" + key},
		{"params empty", with("")},
		{"params out of order", with("t=1,m=64,p=1")},
		{"param missing", with("m=64,t=1")},
		{"param repeated", with("m=64,t=1,p=1,p=1")},
		{"keyid param", with("m=64,t=1,p=1,keyid=abc")},
		{"param unnamed", with("64,1,1")},
		{"spaces", with("m=64, t=1, p=1")},
		{"trailing comma", with("m=64,t=1,p=1,")},
		{"huge memory", with("m=4294967295,t=1,p=1")},
		{"memory over 32 bits", with("m=99999999999999999999,t=1,p=1")},
		{"memory just over the ceiling", with(fmt.Sprintf("m=%d,t=1,p=1", maxMemoryKiB+1))},
		{"memory 2 GiB", with("m=2097152,t=1,p=4")},
		{"memory zero", with("m=0,t=1,p=1")},
		{"memory under 8 KiB per lane", with("m=31,t=1,p=4")},
		{"memory leading zero", with("m=064,t=1,p=1")},
		{"memory plus sign", with("m=+64,t=1,p=1")},
		{"memory negative", with("m=-64,t=1,p=1")},
		{"memory hex", with("m=0x40,t=1,p=1")},
		{"memory underscore", with("m=6_4,t=1,p=1")},
		{"memory empty", with("m=,t=1,p=1")},
		{"memory full-width digits", with("m=６４,t=1,p=1")},
		{"iterations zero", with("m=64,t=0,p=1")},
		{"iterations huge", with("m=64,t=4294967295,p=1")},
		{"iterations just over the ceiling", with(fmt.Sprintf("m=64,t=%d,p=1", maxIterations+1))},
		{"lanes zero", with("m=64,t=1,p=0")},
		{"lanes 256 (wraps to 0 in a uint8)", with("m=4096,t=1,p=256")},
		{"lanes 257 (wraps to 1 in a uint8)", with("m=4096,t=1,p=257")},
		{"lanes just over the ceiling", with(fmt.Sprintf("m=4096,t=1,p=%d", maxParallelism+1))},
		{"salt padded", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"salt URL alphabet", "$argon2id$v=19$m=64,t=1,p=1$c29-ZXNhbHRz_21lc2FsdA$" + key},
		{"salt non-canonical trailing bits", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdB$" + key},
		{"salt too short", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key},
		{"salt too long", "$argon2id$v=19$m=64,t=1,p=1$" + strings.Repeat("AAAA", 22) + "$" + key},
		{"salt with newline", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRz\nb21lc2FsdA$" + key},
		{"key too short", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$q83vEjRWeJCrze8SNFZ4"},
		{"key too long", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("AAAA", 22)},
		{"key bad base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:len(key)-1] + "!"},
		{"trailing newline", valid + "\n"},
		{"leading space", " " + valid},
		{"overlong", valid + strings.Repeat("A", maxEncodedLen)},
		{"megabyte", strings.Repeat("$", 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword("x", tt.encoded)
			if !errors.Is(err, ErrInvalidHash) || ok || rehash {
				t.Errorf("VerifyPassword(%.80q) = %v, %v, %v; want false, false, ErrInvalidHash", tt.encoded, ok, rehash, err)
			}
		})
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	const pw = "correct horse battery staple"
	// Small numbers keep the test fast; only their order matters.
	target := PasswordParams{MemoryKiB: 64, Iterations: 2, Parallelism: 2, SaltLen: 16, KeyLen: 32}
	with := func(change func(*PasswordParams)) PasswordParams {
		p := target
		change(&p)
		return p
	}
	tests := []struct {
		name string
		p    PasswordParams
		want bool
	}{
		{"same", target, false},
		{"less memory", with(func(p *PasswordParams) { p.MemoryKiB = 32 }), true},
		{"fewer iterations", with(func(p *PasswordParams) { p.Iterations = 1 }), true},
		{"shorter salt", with(func(p *PasswordParams) { p.SaltLen = 8 }), true},
		{"shorter key", with(func(p *PasswordParams) { p.KeyLen = 16 }), true},
		{"fewer lanes only", with(func(p *PasswordParams) { p.Parallelism = 1 }), false},
		{"more lanes only", with(func(p *PasswordParams) { p.Parallelism = 4 }), false},
		{"more memory", with(func(p *PasswordParams) { p.MemoryKiB = 128 }), false},
		{"more memory, fewer iterations", with(func(p *PasswordParams) { p.MemoryKiB = 128; p.Iterations = 1 }), true},
		{"stronger everywhere", PasswordParams{MemoryKiB: 128, Iterations: 3, Parallelism: 2, SaltLen: 32, KeyLen: 64}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := HashPassword(pw, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			ok, got, err := target.Verify(pw, encoded)
			if !ok || err != nil {
				t.Fatalf("Verify = %v, _, %v; want true, _, nil", ok, err)
			}
			if got != tt.want {
				t.Errorf("needsRehash = %v, want %v", got, tt.want)
			}
			// A wrong password never asks for a rehash: there is nothing to
			// rehash with.
			if ok, got, _ := target.Verify(pw+"!", encoded); ok || got {
				t.Errorf("Verify(wrong password) = %v, %v; want false, false", ok, got)
			}
		})
	}
}

func TestVerifyPasswordFlagsTestParams(t *testing.T) {
	encoded, err := HashPassword("password123", TestPasswordParams())
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err := VerifyPassword("password123", encoded)
	if !ok || !rehash || err != nil {
		t.Errorf("VerifyPassword = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name     string
		pw       string
		wantKey  string // "" for valid
		wantArgs map[string]any
	}{
		{"empty", "", "error.password.too_short", map[string]any{"Min": 10}},
		{"9 chars", "123456789", "error.password.too_short", map[string]any{"Min": 10}},
		{"10 chars", "1234567890", "", nil},
		{"9 runes in 18 bytes", "àèìòùàèìò", "error.password.too_short", map[string]any{"Min": 10}},
		{"10 runes in 20 bytes", "àèìòùàèìòù", "", nil},
		{"10 runes of Arabic", "كلمةالمرور", "", nil},
		{"256 bytes", strings.Repeat("a", 256), "", nil},
		{"257 bytes", strings.Repeat("a", 257), "error.password.too_long", map[string]any{"Limit": 256}},
		{"128 two-byte runes", strings.Repeat("é", 128), "", nil},
		{"129 two-byte runes", strings.Repeat("é", 129), "error.password.too_long", map[string]any{"Limit": 256}},
		{"a megabyte", strings.Repeat("a", 1<<20), "error.password.too_long", map[string]any{"Limit": 256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePassword(tt.pw)
			if tt.wantKey == "" {
				if err != nil {
					t.Errorf("ValidatePassword = %v, want nil", err)
				}
				return
			}
			e, ok := model.AsError(err)
			if !ok {
				t.Fatalf("ValidatePassword = %v, want a *model.Error", err)
			}
			if e.Code != model.CodeInvalid || e.Key != tt.wantKey || e.Field != "password" {
				t.Errorf("error = {Code: %q, Key: %q, Field: %q}, want {%q, %q, %q}",
					e.Code, e.Key, e.Field, model.CodeInvalid, tt.wantKey, "password")
			}
			if got, want := fmt.Sprint(e.Args), fmt.Sprint(tt.wantArgs); got != want {
				t.Errorf("Args = %s, want %s", got, want)
			}
		})
	}
}

func TestGeneratePassword(t *testing.T) {
	shape := regexp.MustCompile(`^[` + passwordAlphabet + `]{5}(-[` + passwordAlphabet + `]{5}){3}$`)
	seen := make(map[string]bool)
	used := make(map[rune]bool)
	for range 1000 {
		pw := GeneratePassword()
		if !shape.MatchString(pw) {
			t.Fatalf("GeneratePassword = %q, want four groups of five from %q", pw, passwordAlphabet)
		}
		if err := ValidatePassword(pw); err != nil {
			t.Fatalf("ValidatePassword(%q) = %v, want nil", pw, err)
		}
		if seen[pw] {
			t.Fatalf("GeneratePassword returned %q twice", pw)
		}
		seen[pw] = true
		for _, r := range pw {
			used[r] = true
		}
	}
	// 20,000 draws from 31 symbols: each should have turned up.
	for _, r := range passwordAlphabet {
		if !used[r] {
			t.Errorf("symbol %q never drawn", r)
		}
	}
	if got, want := len(passwordAlphabet), 31; got != want {
		t.Errorf("alphabet has %d symbols, want %d (the documented entropy assumes it)", got, want)
	}
}

func FuzzVerifyPassword(f *testing.F) {
	for _, p := range []PasswordParams{TestPasswordParams(), {MemoryKiB: 32, Iterations: 2, Parallelism: 4, SaltLen: 8, KeyLen: 16}} {
		encoded, err := HashPassword("password", p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(encoded)
	}
	f.Add("")
	f.Add("$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA")
	f.Add("$argon2id$v=19$m=4294967295,t=4294967295,p=255$AAAA$AAAA")
	f.Add("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
	f.Fuzz(func(t *testing.T, encoded string) {
		p, salt, key, decodeErr := decodeHash(encoded)
		if decodeErr == nil {
			// What decodes is within bounds, and is the one spelling we
			// write: parsing accepts nothing it would not produce.
			if err := p.Validate(); err != nil {
				t.Fatalf("decodeHash(%q) accepted params %+v: %v", encoded, p, err)
			}
			if got := encodeHash(p, salt, key); got != encoded {
				t.Fatalf("decodeHash(%q) re-encodes as %q", encoded, got)
			}
			// The ceilings bound a verification at seconds, but fuzzing
			// wants thousands per second; the costly ones add nothing the
			// cheap ones don't exercise.
			if uint64(p.MemoryKiB)*uint64(p.Iterations) > 4096 {
				t.Skip("too costly to verify while fuzzing")
			}
		}
		ok, rehash, err := VerifyPassword("password", encoded)
		if (err == nil) != (decodeErr == nil) {
			t.Fatalf("VerifyPassword error %v, decodeHash error %v", err, decodeErr)
		}
		if err != nil && (ok || rehash || !errors.Is(err, ErrInvalidHash)) {
			t.Fatalf("VerifyPassword(%q) = %v, %v, %v; want false, false, ErrInvalidHash", encoded, ok, rehash, err)
		}
		if rehash && !ok {
			t.Fatalf("VerifyPassword(%q) asks for a rehash of a wrong password", encoded)
		}
	})
}

func BenchmarkVerifyPassword(b *testing.B) {
	encoded, err := HashPassword("correct horse battery staple", DefaultPasswordParams())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := VerifyPassword("correct horse battery staple", encoded); !ok || err != nil {
			b.Fatalf("VerifyPassword = %v, %v", ok, err)
		}
	}
}
