package files

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameRunes bounds a display filename.
const maxNameRunes = 200

// maxExtRunes is the longest extension CleanName keeps when it shortens a
// name; anything longer is not an extension worth keeping.
const maxExtRunes = 20

// CleanName makes a sender's filename safe to show and to put in a
// download header: the base name only (after the last / or \), valid
// UTF-8 without control or invisible formatting characters (bidi
// overrides can disguise "fdp.exe" as "exe.pdf"), trimmed, at most 200
// runes with the extension kept, and "file" when nothing is left. It is
// never used as a path on disk.
func CleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxNameRunes {
		name = shorten(name)
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// shorten cuts a trimmed name to maxNameRunes, keeping a short extension.
func shorten(name string) string {
	ext := path.Ext(name)
	if n := utf8.RuneCountInString(ext); ext == name || n > maxExtRunes {
		ext = ""
	}
	stem := []rune(strings.TrimSuffix(name, ext))
	keep := maxNameRunes - utf8.RuneCountInString(ext)
	if len(stem) > keep {
		stem = stem[:keep]
	}
	return strings.TrimSpace(string(stem)) + ext
}
