package archtest

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// keyUses finds translation keys named in Go code: domain errors' Key
// fields, model.Invalid's key argument, Printer.T/N calls and the
// templates' t/n functions.
var keyUses = []*regexp.Regexp{
	regexp.MustCompile(`Key:\s*"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`),
	regexp.MustCompile(`Invalid\((?:[^()]|\([^()]*\))*?,\s*"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`),
	regexp.MustCompile(`Errorf\([^,()]+,\s*"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`),
	regexp.MustCompile(`\.[TN]\(\s*"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`),
	regexp.MustCompile(`\{\{-?\s*[tn]\s+"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`),
}

// TestTranslationKeysExist fails when code names a translation key that
// the English catalog (the source of truth) lacks; the locale package's
// own test then makes every other catalog follow.
func TestTranslationKeysExist(t *testing.T) {
	root := filepath.Join("..", "..")
	raw, err := os.ReadFile(filepath.Join(root, "internal", "locale", "catalogs", "en.json"))
	if err != nil {
		t.Fatal(err)
	}
	var catalog map[string]json.RawMessage
	if err := json.Unmarshal(raw, &catalog); err != nil {
		t.Fatal(err)
	}
	missing := map[string][]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "sportello-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, "_test.go") || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range keyUses {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if _, ok := catalog[m[1]]; !ok {
					rel, _ := filepath.Rel(root, path)
					missing[m[1]] = append(missing[m[1]], rel)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("key %q is used in %s but missing from en.json", k, strings.Join(dedupe(missing[k]), ", "))
	}
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
