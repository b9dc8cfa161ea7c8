// Package langdetect guesses the language of a citizen's message, for
// channels where nobody chose one (SMS, WhatsApp, e-mail). The guess is a
// hint that operators can correct, never a decision.
//
// It covers two cases, with no dependency and no model file:
//
//   - Latin-script text in Italian, English, French or Spanish, by the
//     share of each language's commonest short words (articles,
//     prepositions, pronouns, greetings) and a few letters only one of
//     them uses (ñ, ¿, ç, œ…). A text too short, or mixed, gives no answer.
//   - Any text in another script, by the script alone: Arabic (with Persian
//     and Urdu told apart by their extra letters), Cyrillic (Ukrainian by
//     its own letters, else Russian), Greek, Hebrew, Devanagari (Hindi),
//     Bengali, Gurmukhi (Punjabi), Tamil, Thai, Georgian, Armenian,
//     Ethiopic (Tigrinya and Amharic share it: Amharic is guessed), Han
//     (Chinese), kana (Japanese) and Hangul (Korean).
//
// Everything else — Wolof, Pidgin, Romanian, Albanian, other Latin-script
// languages — gives no answer rather than a wrong one. The package is
// pure: no I/O, no state.
package langdetect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Result is a guess.
type Result struct {
	Language   string  // BCP 47 primary tag, "" when unsure
	Confidence float64 // 0 to 1
	ByScript   bool    // guessed from the writing system alone
}

// minLetters is the shortest text worth a guess: "ok", "si" say nothing.
const minLetters = 3

// Detect guesses the language of text.
func Detect(text string) Result {
	if len(text) > 4000 {
		// The start of a long message is enough, cut at a rune boundary.
		cut := 4000
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	var counts [numScripts]int
	letters := 0
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		counts[scriptOf(r)]++
	}
	if letters < minLetters {
		return Result{}
	}
	best := latin
	for s := range numScripts {
		if counts[s] > counts[best] {
			best = script(s)
		}
	}
	if best != latin {
		share := float64(counts[best]) / float64(letters)
		if share < 0.5 {
			return Result{}
		}
		return Result{Language: byScript(best, text), Confidence: 0.5 + share/2, ByScript: true}
	}
	if counts[latin] < minLetters {
		return Result{}
	}
	return latinGuess(text)
}

type script int

const (
	other script = iota
	latin
	arabic
	cyrillic
	greek
	hebrew
	devanagari
	bengali
	gurmukhi
	tamil
	thai
	georgian
	armenian
	ethiopic
	han
	kana
	hangul
	numScripts
)

var scriptTables = []struct {
	s script
	t *unicode.RangeTable
}{
	{latin, unicode.Latin}, {arabic, unicode.Arabic}, {cyrillic, unicode.Cyrillic}, {greek, unicode.Greek},
	{hebrew, unicode.Hebrew}, {devanagari, unicode.Devanagari}, {bengali, unicode.Bengali},
	{gurmukhi, unicode.Gurmukhi}, {tamil, unicode.Tamil}, {thai, unicode.Thai}, {georgian, unicode.Georgian},
	{armenian, unicode.Armenian}, {ethiopic, unicode.Ethiopic}, {han, unicode.Han},
	{kana, unicode.Hiragana}, {kana, unicode.Katakana}, {hangul, unicode.Hangul},
}

func scriptOf(r rune) script {
	if r < 0x250 {
		if r < 0x80 || r >= 0xC0 {
			return latin
		}
		return other
	}
	for _, st := range scriptTables {
		if unicode.Is(st.t, r) {
			return st.s
		}
	}
	return other
}

var scriptLanguage = map[script]string{
	greek: "el", hebrew: "he", devanagari: "hi", bengali: "bn", gurmukhi: "pa", tamil: "ta", thai: "th",
	georgian: "ka", armenian: "hy", ethiopic: "am", han: "zh", kana: "ja", hangul: "ko",
}

// byScript names the likeliest language written in s.
func byScript(s script, text string) string {
	switch s {
	case arabic:
		switch {
		case strings.ContainsAny(text, "ےٹڈڑں"):
			return "ur"
		case strings.ContainsAny(text, "پچژگکی"):
			return "fa"
		}
		return "ar"
	case cyrillic:
		if strings.ContainsAny(text, "іїєґІЇЄҐ") {
			return "uk"
		}
		return "ru"
	case han:
		// Japanese mixes kanji with kana; a text with any kana is Japanese.
		for _, r := range text {
			if unicode.In(r, unicode.Hiragana, unicode.Katakana) {
				return "ja"
			}
		}
	}
	return scriptLanguage[s]
}

// latinLanguages are the Latin-script languages told apart by words.
var latinLanguages = []string{"it", "en", "fr", "es"}

// commonWords are each language's commonest short words, as written
// without accents when people type fast. A word in two lists counts for
// both.
var commonWords = map[string][]string{
	"it": strings.Fields(`il lo la gli le un una uno di del della dei delle da dal dalla in nel nella con su per tra fra
		e ed o ma che chi non come dove quando perche perché sono sei siamo siete ho hai ha abbiamo avete hanno
		io tu lui lei noi voi loro mi ti ci vi si mio mia miei mie tuo tua suo sua questo questa quello quella
		anche ancora gia già molto poco tutto tutti grazie buongiorno buonasera ciao salve sì si vorrei posso
		devo serve aiuto domanda mio figlio figlia permesso soggiorno lavoro casa è`),
	"en": strings.Fields(`the a an of to in on at for from with by about and or but not no yes is are was were be been
		have has had do does did i you he she we they me him her us them my your his our their this that these
		those what who where when why how can could would should will please thank thanks hello hi good morning
		need help want know there here it its am`),
	"fr": strings.Fields(`le la les un une des du de d l au aux en dans sur pour par avec sans et ou mais que qui quoi
		ne pas plus je tu il elle nous vous ils elles me te se moi toi lui leur mon ma mes ton ta tes son sa ses
		notre votre est suis es sommes êtes sont ai as avons avez ont bonjour bonsoir merci oui non c ce cette
		ces j aide besoin voudrais peux très tres comment pourquoi où ça ca`),
	"es": strings.Fields(`el la los las un una unos unas de del al en con por para sin sobre y o pero que quien qué
		no sí si es soy eres somos son estoy está estamos están he ha hemos han yo tú él ella nosotros ellos
		me te se le les mi mis tu tus su sus este esta estos esto eso muy gracias hola buenos buenas días dias
		ayuda necesito quiero puedo cómo como dónde donde porque hijo hija trabajo`),
}

// letterHints are letters only one of the four languages writes.
var letterHints = map[string]string{
	"es": "ñ¿¡",
	"fr": "çœêîûâ",
}

var wordSets = func() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for lang, words := range commonWords {
		set := map[string]bool{}
		for _, w := range words {
			set[w] = true
		}
		out[lang] = set
	}
	return out
}()

// latinGuess scores Italian, English, French and Spanish by their common
// words. It answers only when one language clearly leads.
func latinGuess(text string) Result {
	lower := strings.ToLower(text)
	words := strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	scores := map[string]float64{}
	for _, w := range words {
		for _, lang := range latinLanguages {
			if wordSets[lang][w] {
				scores[lang]++
			}
		}
	}
	for lang, letters := range letterHints {
		if strings.ContainsAny(lower, letters) {
			scores[lang] += 2
		}
	}
	// Elisions ("l'ufficio", "j'ai", "c'est") are Italian or French.
	if strings.Contains(lower, "j'") || strings.Contains(lower, "c'est") || strings.Contains(lower, "qu'") {
		scores["fr"] += 2
	}
	first, second := "", ""
	for _, lang := range latinLanguages {
		switch {
		case first == "" || scores[lang] > scores[first]:
			first, second = lang, first
		case second == "" || scores[lang] > scores[second]:
			second = lang
		}
	}
	top, next := scores[first], scores[second]
	if top < 2 || top < next*1.5 {
		return Result{}
	}
	conf := (top - next) / top
	if n := float64(len(words)); n > 0 {
		conf *= min(1, top/n*2)
	}
	return Result{Language: first, Confidence: min(1, 0.4+conf*0.6)}
}
