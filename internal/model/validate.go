package model

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)
	langRE = regexp.MustCompile(`^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$`)
	tagRE  = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _.-]{0,62}$`)
	e164RE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// ValidSlug reports whether s can name an organisation or team in URLs.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// ValidLanguage reports whether s looks like a BCP 47 language tag such as
// "it", "ar", "pcm" or "fr-CA".
func ValidLanguage(s string) bool { return langRE.MatchString(s) }

// ValidTag reports whether s can be a conversation tag.
func ValidTag(s string) bool { return tagRE.MatchString(s) }

// ValidStatus reports whether s is a known conversation status.
func ValidStatus(s Status) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// ValidPriority reports whether p is a known priority.
func ValidPriority(p Priority) bool { return p >= PriorityLow && p <= PriorityUrgent }

// ValidChannelKind reports whether k is a known channel kind.
func ValidChannelKind(k ChannelKind) bool {
	for _, x := range ChannelKinds {
		if x == k {
			return true
		}
	}
	return false
}

// NormalizeEmail returns the address lower-cased and trimmed, or a
// validation error naming field.
func NormalizeEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", Invalid(field, "error.validation.email", "not a valid e-mail address", nil)
	}
	return strings.ToLower(s), nil
}

// NormalizeLanguages validates a list of language tags and lower-cases
// their primary subtag, dropping duplicates.
func NormalizeLanguages(field string, langs []string) ([]string, error) {
	out := make([]string, 0, len(langs))
	seen := map[string]bool{}
	for _, l := range langs {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if i := strings.IndexByte(l, '-'); i > 0 {
			l = strings.ToLower(l[:i]) + l[i:]
		} else {
			l = strings.ToLower(l)
		}
		if !ValidLanguage(l) {
			return nil, Invalid(field, "error.validation.language", "not a valid language code: "+l, map[string]any{"Value": l})
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out, nil
}

// NormalizeIdentity checks and canonicalises an identity value: phones in
// E.164, e-mails lower-cased, others trimmed and bounded.
func NormalizeIdentity(id Identity) (Identity, error) {
	v := strings.TrimSpace(id.Value)
	switch id.Kind {
	case IdentityPhone:
		v = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(v)
		if strings.HasPrefix(v, "00") {
			v = "+" + v[2:]
		}
		if !e164RE.MatchString(v) {
			return id, Invalid("identities", "error.validation.phone", "phone numbers must be in international format, like +393331234567", map[string]any{"Value": id.Value})
		}
	case IdentityEmail:
		e, err := NormalizeEmail("identities", v)
		if err != nil {
			return id, err
		}
		v = e
	case IdentityWhatsApp, IdentityTelegram, IdentityWeb, IdentityMeta, IdentityExternal:
		if v == "" || len(v) > 200 || !utf8.ValidString(v) {
			return id, Invalid("identities", "error.validation.identity", "identity value must be 1 to 200 characters", nil)
		}
	default:
		return id, Invalid("identities", "error.validation.identity_kind", "unknown identity kind", map[string]any{"Value": string(id.Kind)})
	}
	return Identity{Kind: id.Kind, Value: v}, nil
}

// CheckText validates a required or optional free-text field's length.
func CheckText(field, s string, required bool, maxRunes int) error {
	if required && strings.TrimSpace(s) == "" {
		return Invalid(field, "error.validation.required", field+" is required", map[string]any{"Field": field})
	}
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return Invalid(field, "error.validation.utf8", field+" is not valid text", map[string]any{"Field": field})
	}
	if utf8.RuneCountInString(s) > maxRunes {
		return Invalid(field, "error.validation.too_long", field+" is too long", map[string]any{"Field": field, "Limit": maxRunes})
	}
	return nil
}
