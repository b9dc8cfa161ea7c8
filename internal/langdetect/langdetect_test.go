package langdetect_test

import (
	"testing"

	"github.com/sportello/sportello/internal/langdetect"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		text, want string
		byScript   bool
	}{
		{"Buongiorno, ho bisogno di aiuto per il permesso di soggiorno di mia figlia", "it", false},
		{"ciao, sono senza lavoro e non so cosa fare con la domanda", "it", false},
		{"Hello, I need help with my residence permit, the appointment is too far", "en", false},
		{"Bonjour, j'ai besoin d'aide pour ma demande de titre de séjour", "fr", false},
		{"C'est pour mon fils, il a perdu son travail et nous ne savons pas quoi faire", "fr", false},
		{"Hola, necesito ayuda con el permiso de residencia de mi hija, ¿qué hago?", "es", false},
		{"Buenos días, mi hijo no tiene trabajo y queremos saber cómo pedir ayuda", "es", false},
		{"السلام عليكم، أريد تجديد تصريح الإقامة", "ar", true},
		{"سلام، من برای تمدید اجازه اقامت کمک می\u200cخواهم", "fa", true},
		{"Добрый день, мне нужна помощь с документами", "ru", true},
		{"Добрий день, мені потрібна допомога з документами для дітей", "uk", true},
		{"नमस्ते, मुझे मदद चाहिए", "hi", true},
		{"你好，我需要帮助办理居留许可", "zh", true},
		{"こんにちは、在留カードについて教えてください", "ja", true},
		{"ሰላም፣ እርዳታ እፈልጋለሁ", "am", true},
		{"Γεια σας, χρειάζομαι βοήθεια", "el", true},
		// Too short, or a language it does not cover: no answer.
		{"ok", "", false},
		{"👍👍", "", false},
		{"Asalaa maalekum, dama bëgg ndimbal ci sama karte de séjour", "", false},
		{"+39 333 1234567", "", false},
	}
	for _, tt := range tests {
		got := langdetect.Detect(tt.text)
		if got.Language != tt.want || (tt.want != "" && got.ByScript != tt.byScript) {
			t.Errorf("Detect(%q) = %+v, want %q (by script %v)", tt.text, got, tt.want, tt.byScript)
		}
		if tt.want != "" && (got.Confidence <= 0 || got.Confidence > 1) {
			t.Errorf("Detect(%q) confidence %v out of (0, 1]", tt.text, got.Confidence)
		}
	}
}

func FuzzDetect(f *testing.F) {
	f.Add("Buongiorno, ho bisogno di aiuto")
	f.Add("السلام عليكم")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		r := langdetect.Detect(s)
		if r.Confidence < 0 || r.Confidence > 1 || (r.Language == "") != (r.Confidence == 0) {
			t.Errorf("Detect(%q) = %+v", s, r)
		}
	})
}
