package locale

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
)

func TestT(t *testing.T) {
	b := mustLoad(t)
	tests := []struct {
		lang, key string
		args      map[string]any
		want      string
	}{
		{"it", "login.title", nil, "Accedi"},
		{"ar", "nav.inbox", nil, "صندوق الوارد"},
		{"fr", "error.json.unknown_field", map[string]any{"Field": "nom"}, "Champ inconnu\u00a0: nom."},
		{"it", "password.too_short", map[string]any{"Min": 12}, "La nuova password è troppo corta. Usa almeno 12 caratteri."},
		{"it", "error.password.too_short", map[string]any{"Min": 12}, "La nuova password è troppo corta. Usa almeno 12 caratteri."},
		{"it", "error.password.too_short", nil, "La nuova password è troppo corta."},
		// Missing arguments are empty, so {{if}} can test them.
		{"it", "error.too_large", nil, "È troppo grande."},
		{"en", "error.too_large", map[string]any{"Limit": "10 MB"}, "This is too large. The limit is 10 MB."},
		// Values are plain text: escaping is the caller's template's job.
		{"en", "error.json.unknown_field", map[string]any{"Field": "<b>"}, "Unknown field: <b>."},
		// A plural key through T: an integer Count selects, else "other".
		{"it", "count.conversations", map[string]any{"Count": 1}, "1 conversazione"},
		{"it", "count.conversations", map[string]any{"Count": 1234.0}, "1.234 conversazioni"},
		{"it", "time.days_ago", map[string]any{"Count": "2"}, "2 giorni fa"},
		{"it", "no.such_key", nil, "no.such_key"},
		{"de", "login.title", nil, "Sign in"},
	}
	for _, tt := range tests {
		if got := b.Printer(tt.lang).T(tt.key, tt.args); got != tt.want {
			t.Errorf("%s: T(%q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestN(t *testing.T) {
	b := mustLoad(t)
	tests := []struct {
		lang  string
		key   string
		count int
		want  string
	}{
		{"en", "count.unread_messages", 1, "1 unread message"},
		{"en", "count.unread_messages", 0, "0 unread messages"},
		{"en", "count.unread_messages", 1234, "1,234 unread messages"},
		{"it", "count.conversations", 1, "1 conversazione"},
		{"it", "count.conversations", 2, "2 conversazioni"},
		{"it", "count.conversations", 1234, "1.234 conversazioni"},
		{"it", "count.conversations", 1_000_000, "1.000.000 conversazioni"}, // many falls back to other
		{"fr", "count.unread_messages", 0, "0 message non lu"},
		{"fr", "count.unread_messages", 1234, "1\u202f234 messages non lus"},
		{"es", "login.too_many_attempts", 1, "Demasiados intentos. Vuelva a intentarlo dentro de 1 minuto."},
		{"ar", "count.conversations", 0, "لا توجد محادثات"},
		{"ar", "count.conversations", 1, "محادثة واحدة"},
		{"ar", "count.conversations", 2, "محادثتان"},
		{"ar", "count.conversations", 3, "3 محادثات"},
		{"ar", "count.conversations", 11, "11 محادثة"},
		{"ar", "count.conversations", 100, "100 محادثة"},
		{"ar", "count.conversations", 103, "103 محادثات"},
		{"ar", "login.too_many_attempts", 2, "محاولات كثيرة جدًا. حاول مرة أخرى بعد دقيقتين."},
		{"ar", "login.too_many_attempts", 15, "محاولات كثيرة جدًا. حاول مرة أخرى بعد 15 دقيقة."},
		{"en", "no.such_key", 3, "no.such_key"},
	}
	for _, tt := range tests {
		if got := b.Printer(tt.lang).N(tt.key, tt.count, nil); got != tt.want {
			t.Errorf("%s: N(%q, %d) = %q, want %q", tt.lang, tt.key, tt.count, got, tt.want)
		}
	}
}

func TestNLeavesArgsAlone(t *testing.T) {
	b := mustLoad(t)
	args := map[string]any{"Kind": "contact"}
	b.Printer("it").N("count.conversations", 5, args)
	b.Printer("it").T("error.too_large", args)
	if len(args) != 1 || args["Kind"] != "contact" {
		t.Errorf("args changed to %v", args)
	}
}

// A key missing in a language comes from English; a message that fails to
// render in both comes back as its key.
func TestFallback(t *testing.T) {
	b := loadMap(t, map[string]string{
		"en.json": `{
			"a.only_en": "English only",
			"a.count": {"one": "{{.Count}} item", "other": "{{.Count}} items"},
			"a.broken_it": "fine",
			"a.broken": "{{index .List 5}}",
			"a.blank": "{{.Name}}"
		}`,
		"it.json": `{
			"meta.decimal": ",", "meta.group": ".",
			"a.broken_it": "{{index .List 5}}",
			"a.broken": "{{index .List 5}}",
			"a.blank": "{{.Name}}"
		}`,
	})
	p := b.Printer("it")
	tests := []struct {
		key  string
		n    int
		want string
	}{
		{"a.only_en", 0, "English only"},
		{"a.count", 1, "1 item"},
		{"a.count", 1234, "1,234 items"}, // English text, English number
		{"a.broken_it", 0, "fine"},
		{"a.broken", 0, "a.broken"},
		{"a.blank", 0, "a.blank"}, // never blank
	}
	for _, tt := range tests {
		if got := p.N(tt.key, tt.n, nil); got != tt.want {
			t.Errorf("N(%q, %d) = %q, want %q", tt.key, tt.n, got, tt.want)
		}
	}
}

func TestError(t *testing.T) {
	b := mustLoad(t)
	tests := []struct {
		name string
		lang string
		err  error
		want string
	}{
		{"nil", "it", nil, ""},
		{"not found with kind", "it", model.NotFound("conversation"), "Elemento non trovato: conversazione."},
		{"not found in English", "en", model.NotFound("contact"), "The contact was not found."},
		{"not found in Arabic", "ar", model.NotFound("contact"), "لم يتم العثور على جهة اتصال."},
		{"wrapped", "fr", fmt.Errorf("load contact 7: %w", model.NotFound("contact")), "Élément introuvable\u00a0: contact."},
		{"unknown kind kept", "it", model.NotFound("widget"), "Elemento non trovato: widget."},
		{"no args", "es", model.ErrNotFound, "Elemento no encontrado."},
		{"duplicate", "it", model.ErrDuplicate, "Esiste già."},
		{"field from the error", "it", model.Invalid("email", "error.validation.required", "is required", nil), "Campo obbligatorio: email."},
		{"plural args", "ar", &model.Error{Code: model.CodeRateLimited, Key: "login.too_many_attempts", Args: map[string]any{"Count": 1}}, "محاولات كثيرة جدًا. حاول مرة أخرى بعد دقيقة واحدة."},
		{"unknown key uses Message", "it", &model.Error{Code: model.CodeInvalid, Key: "error.phone.format", Message: "phone must start with +"}, "phone must start with +"},
		{"unknown key no Message uses code", "it", &model.Error{Code: model.CodeConflict, Key: "error.nope"}, "Non si può fare adesso perché qualcosa è cambiato. Ricarica la pagina e riprova."},
		{"no key no Message unknown code", "it", &model.Error{Code: "weird"}, "Qualcosa non ha funzionato. Riprova più tardi."},
		{"plain error hidden", "it", errors.New("pq: connection refused at 10.0.0.3"), "Qualcosa non ha funzionato. Riprova più tardi."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Printer(tt.lang).Error(tt.err); got != tt.want {
				t.Errorf("Error(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorLeavesArgsAlone(t *testing.T) {
	b := mustLoad(t)
	e := model.NotFound("conversation")
	b.Printer("it").Error(e)
	if e.Args["Kind"] != "conversation" || len(e.Args) != 1 {
		t.Errorf("Args changed to %v", e.Args)
	}
}

func TestFormatNumbers(t *testing.T) {
	b := mustLoad(t)
	tests := []struct {
		lang    string
		got     func(*Printer) string
		want    string
		comment string
	}{
		{"it", func(p *Printer) string { return p.FormatFloat(1234.5, 1) }, "1.234,5", ""},
		{"en", func(p *Printer) string { return p.FormatFloat(1234.5, 1) }, "1,234.5", ""},
		{"fr", func(p *Printer) string { return p.FormatFloat(1234.5, 1) }, "1\u202f234,5", ""},
		{"es", func(p *Printer) string { return p.FormatFloat(1234.5, 1) }, "1.234,5", ""},
		{"ar", func(p *Printer) string { return p.FormatFloat(1234.5, 1) }, "1,234.5", ""},
		{"ar", func(p *Printer) string { return p.FormatInt(-1234) }, "\u200e-1,234", "LRM keeps the sign left of the digits"},
		{"it", func(p *Printer) string { return p.FormatInt(0) }, "0", ""},
		{"it", func(p *Printer) string { return p.FormatInt(999) }, "999", ""},
		{"it", func(p *Printer) string { return p.FormatInt(1000) }, "1.000", ""},
		{"it", func(p *Printer) string { return p.FormatInt(-1234567) }, "-1.234.567", ""},
		{"en", func(p *Printer) string { return p.FormatInt(math.MinInt64) }, "-9,223,372,036,854,775,808", ""},
		{"en", func(p *Printer) string { return p.FormatInt(math.MaxInt64) }, "9,223,372,036,854,775,807", ""},
		{"it", func(p *Printer) string { return p.FormatFloat(0.25, -1) }, "0,25", ""},
		{"it", func(p *Printer) string { return p.FormatFloat(1e6, -1) }, "1.000.000", ""},
		{"it", func(p *Printer) string { return p.FormatFloat(-0.001, 2) }, "0,00", "no minus on a rounded zero"},
		{"it", func(p *Printer) string { return p.FormatFloat(-12345.678, 2) }, "-12.345,68", ""},
		{"it", func(p *Printer) string { return p.FormatFloat(math.Inf(-1), 2) }, "-Inf", ""},
	}
	for _, tt := range tests {
		if got := tt.got(b.Printer(tt.lang)); got != tt.want {
			t.Errorf("%s: got %q, want %q %s", tt.lang, got, tt.want, tt.comment)
		}
	}
}

func TestFormatDates(t *testing.T) {
	b := mustLoad(t)
	at := time.Date(2026, 3, 5, 23, 7, 0, 0, time.UTC)
	rome := time.FixedZone("CET", 3600)
	tests := []struct{ lang, date, dateTime, dateTimeRome string }{
		{"it", "05/03/2026", "05/03/2026 23:07", "06/03/2026 00:07"},
		{"en", "5 Mar 2026", "5 Mar 2026, 23:07", "6 Mar 2026, 00:07"},
		{"fr", "05/03/2026", "05/03/2026 23:07", "06/03/2026 00:07"},
		{"es", "05/03/2026", "05/03/2026 23:07", "06/03/2026 00:07"},
		{"ar", "05/03/2026", "05/03/2026 23:07", "06/03/2026 00:07"},
	}
	for _, tt := range tests {
		p := b.Printer(tt.lang)
		if got := p.FormatDate(at); got != tt.date {
			t.Errorf("%s: FormatDate = %q, want %q", tt.lang, got, tt.date)
		}
		if got := p.FormatDateTime(at, nil); got != tt.dateTime {
			t.Errorf("%s: FormatDateTime(nil) = %q, want %q", tt.lang, got, tt.dateTime)
		}
		if got := p.FormatDateTime(at, rome); got != tt.dateTimeRome {
			t.Errorf("%s: FormatDateTime(CET) = %q, want %q", tt.lang, got, tt.dateTimeRome)
		}
	}
}

func TestRelative(t *testing.T) {
	b := mustLoad(t)
	now := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		lang string
		ago  time.Duration
		want string
	}{
		{"it", 0, "Adesso"},
		{"it", 59 * time.Second, "Adesso"},
		{"it", -30 * time.Second, "Adesso"}, // clocks a little apart
		{"it", time.Minute, "1 minuto fa"},
		{"it", 5 * time.Minute, "5 minuti fa"},
		{"it", 3 * time.Hour, "3 ore fa"},
		{"en", 25 * time.Hour, "1 day ago"},
		{"ar", 2 * time.Minute, "منذ دقيقتين"},
		{"ar", 11 * time.Hour, "منذ 11 ساعة"},
		{"ar", 6 * 24 * time.Hour, "منذ 6 أيام"},
		{"it", 8 * 24 * time.Hour, "25/02/2026"},
		{"it", -2 * time.Hour, "05/03/2026 14:00"},
	}
	for _, tt := range tests {
		if got := b.Printer(tt.lang).Relative(now.Add(-tt.ago), now); got != tt.want {
			t.Errorf("%s: Relative(%v ago) = %q, want %q", tt.lang, tt.ago, got, tt.want)
		}
	}
}

func BenchmarkT(b *testing.B) {
	bundle := mustLoad(b)
	p := bundle.Printer("it")
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			p.T("nav.conversations", nil)
		}
	})
	b.Run("args", func(b *testing.B) {
		args := map[string]any{"Field": "email"}
		for b.Loop() {
			p.T("error.json.unknown_field", args)
		}
	})
	b.Run("plural", func(b *testing.B) {
		for b.Loop() {
			p.N("count.unread_messages", 1234, nil)
		}
	})
	b.Run("fallback", func(b *testing.B) {
		for b.Loop() {
			p.T("no.such_key", nil)
		}
	})
}
