package email

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSamples(t *testing.T) {
	tests := []struct {
		file       string
		from, name string
		subject    string
		text       string // the whole shown text
		cut        bool
		inReplyTo  string
		automated  bool
		files      []string
	}{
		{file: "gmail_reply.eml", from: "amina.diallo@gmail.com", name: "Amina Diallo", subject: "Re: Permesso di soggiorno [#7]",
			text: "Grazie, vengo giovedì alle 10.\nPorto il passaporto.", cut: true, inReplyTo: "sportello.41.aaaa@sportello.example.it"},
		{file: "outlook_reply.eml", from: "mario.rossi@outlook.it", name: "Rossi, Mario", subject: "R: Richiesta informazioni – città",
			text: "Sì, la residenza è a Città di Castello. Perché serve?\n\nMario\n\n________________________________", cut: true,
			inReplyTo: "sportello.42.bbbb@sportello.example.it"},
		{file: "apple_reply.eml", from: "fatou.sarr@icloud.com", name: "Fatou Sarr", subject: "Re: Appuntamento",
			text: "Va bene, a domani.", cut: true, inReplyTo: "sportello.43.cccc@sportello.example.it"},
		{file: "html_only.eml", from: "casa@comune.example.it", subject: "Bando alloggi", name: "Ufficio Casa",
			text: "Il bando apre il 10 marzo.\n\nDettagli: qui (https://comune.example.it/bando)\n\n- ISEE\n- documento"},
		{file: "windows1252.eml", from: "g.bianchi@libero.it", name: "Giuseppe Bianchi", subject: "Perché la città €",
			text: "Buongiorno, perché la città non risponde? Costa 10 € e più."},
		{file: "undeclared_8bit.eml", from: "g.bianchi@libero.it", name: "Giuseppe Bianchi", subject: "senza charset", text: "Così è, però."},
		{file: "attachments.eml", from: "amina.diallo@gmail.com", name: "Amina Diallo", subject: "Documenti",
			text: "Ecco il permesso e la foto.", files: []string{"foto.png", "permesso di soggiornoà.pdf"}},
		{file: "forwarded.eml", from: "info@caritas.example.it", name: "Operatrice Caritas", subject: "Fwd: Richiesta di aiuto",
			text: "Vi inoltro questa richiesta.\n\n---------- Forwarded message ---------\nFrom: Kofi Mensah <kofi@example.com>\nDate: Sat, 7 Mar 2026 at 20:00\nSubject: Richiesta di aiuto\nTo: <info@caritas.example.it>\n\n> Ho bisogno di aiuto con l'affitto."},
		{file: "autoreply.eml", from: "amina.diallo@gmail.com", name: "Amina Diallo", subject: "Fuori ufficio: Re: Documenti [#7]",
			text: "Sono fuori ufficio fino al 15 marzo.", automated: true},
		{file: "list.eml", from: "news@associazione.example.org", name: "Newsletter", subject: "Notizie di marzo", text: "Le notizie del mese.", automated: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := Parse(sample(t, tt.file), Options{})
			if m.From != tt.from || m.Name != tt.name {
				t.Errorf("from = %q %q, want %q %q", m.From, m.Name, tt.from, tt.name)
			}
			if m.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", m.Subject, tt.subject)
			}
			if m.Text != tt.text {
				t.Errorf("text = %q, want %q", m.Text, tt.text)
			}
			if (m.Folded != "") != tt.cut {
				t.Errorf("folded = %q, want some: %v", m.Folded, tt.cut)
			}
			if got := strings.Join(m.InReplyTo, " "); got != tt.inReplyTo {
				t.Errorf("in-reply-to = %q, want %q", got, tt.inReplyTo)
			}
			if m.Automated != tt.automated {
				t.Errorf("automated = %v, want %v", m.Automated, tt.automated)
			}
			var names []string
			for _, f := range m.Files {
				names = append(names, f.Name)
				if len(f.Data) == 0 {
					t.Errorf("file %s is empty", f.Name)
				}
			}
			if strings.Join(names, "|") != strings.Join(tt.files, "|") {
				t.Errorf("files = %q, want %q", names, tt.files)
			}
			if len(m.Problems) > 0 {
				t.Errorf("problems: %+v", m.Problems)
			}
			if m.MessageID == "" || strings.ContainsAny(m.MessageID, "<>") {
				t.Errorf("message id = %q", m.MessageID)
			}
		})
	}
}

func TestParseInlineImageAndPDF(t *testing.T) {
	m := Parse(sample(t, "attachments.eml"), Options{})
	if len(m.Files) != 2 || !m.Files[0].Inline || m.Files[0].ContentType != "image/png" || m.Files[1].Inline ||
		!strings.HasPrefix(string(m.Files[1].Data), "%PDF-1.4") {
		t.Fatalf("files = %+v", m.Files)
	}
}

func TestParseTooLarge(t *testing.T) {
	m := Parse(sample(t, "attachments.eml"), Options{MaxFile: 40})
	if len(m.Files) != 0 {
		t.Errorf("files kept over the limit: %d", len(m.Files))
	}
	if len(m.Problems) != 2 || m.Problems[0].Kind != "too_large" || m.Problems[1].Name != "permesso di soggiornoà.pdf" || m.Problems[1].Size <= 40 {
		t.Errorf("problems = %+v", m.Problems)
	}
	if m.Text != "Ecco il permesso e la foto." {
		t.Errorf("text = %q", m.Text)
	}
}

func TestParseMalformed(t *testing.T) {
	m := Parse(sample(t, "malformed.eml"), Options{})
	if m.From != "someone@example.com" || m.MessageID != "broken-1@example.com" {
		t.Errorf("headers lost: %q %q", m.From, m.MessageID)
	}
	if !strings.Contains(m.Text, "Testo leggibile.") {
		t.Errorf("text = %q", m.Text)
	}
	if len(m.Problems) == 0 || m.Problems[0].Kind != "malformed" {
		t.Errorf("problems = %+v", m.Problems)
	}
	// Not even a header: the raw text is kept.
	m = Parse([]byte("\x00\x01 not mail"), Options{})
	if m.Text == "" || len(m.Problems) == 0 || m.MessageID == "" {
		t.Errorf("garbage: %+v", m)
	}
}

func TestParseDSN(t *testing.T) {
	m := Parse(sample(t, "dsn.eml"), Options{})
	if m.Bounce == nil {
		t.Fatal("no bounce")
	}
	if m.Bounce.MessageID != "REFERENCED-ID" || m.Bounce.Recipient != "nessuno@example.com" ||
		!strings.Contains(m.Bounce.Reason, "550 5.1.1") || !strings.Contains(m.Bounce.Reason, "User unknown") {
		t.Errorf("bounce = %+v", m.Bounce)
	}
	if !m.Automated {
		t.Error("a bounce must never be answered")
	}
}

func TestParsePECEnvelope(t *testing.T) {
	raw := sample(t, "pec_envelope.eml")
	// A mailbox that is not certified reads it as ordinary mail: the
	// headers could be forged there.
	if m := Parse(raw, Options{}); m.Certified != nil || m.From != "posta-certificata@pec.fakepec.example" {
		t.Errorf("ordinary mailbox: certified %v from %q", m.Certified, m.From)
	}
	m := Parse(raw, Options{PEC: true})
	if m.Certified == nil {
		t.Fatal("not certified")
	}
	if m.From != "laura.neri@pec.avvocati.example.it" || m.Name != "Avv. Laura Neri" || m.MessageID != "inner-pec-1@pec.avvocati.example.it" {
		t.Errorf("sender = %q %q %q", m.From, m.Name, m.MessageID)
	}
	if m.Subject != "Istanza per conto della sig.ra Diallo" || m.Text != "Si trasmette l'istanza. Cordiali saluti, avv. Neri. Città: Perugia." {
		t.Errorf("message = %q / %q", m.Subject, m.Text)
	}
	c := m.Certified
	if c.Transport != "posta-certificata" || c.Provider != "FAKEPEC S.p.A." || c.ID != "opec21010.20260310093005.12345.01.1.1@pec.fakepec.example" ||
		c.At.Format("2006-01-02T15:04:05Z07:00") != "2026-03-10T09:30:05+01:00" || string(c.Envelope) != string(raw) {
		t.Errorf("certificate = %s %s %s %s (%d bytes)", c.Transport, c.Provider, c.ID, c.At, len(c.Envelope))
	}
	if len(m.Files) != 0 || m.Receipt != nil || m.Automated {
		t.Errorf("files %d receipt %v automated %v", len(m.Files), m.Receipt, m.Automated)
	}
}

func TestParsePECAnomaly(t *testing.T) {
	// Ordinary mail that reached a certified mailbox comes in an anomaly
	// envelope: the sender's message, marked as not certified.
	m := Parse(sample(t, "pec_anomalia.eml"), Options{PEC: true})
	if m.Certified == nil || m.Certified.Transport != "errore" || m.From != "mario.rossi@gmail.com" || m.Text != "Scrivo da una casella normale." ||
		m.MessageID != "ordinary-1@mail.gmail.com" {
		t.Errorf("anomaly: certified %+v from %q text %q id %q", m.Certified, m.From, m.Text, m.MessageID)
	}
}

func TestParsePECReceipts(t *testing.T) {
	tests := []struct {
		file, kind, recipient, errText string
	}{
		{"pec_accettazione.eml", ReceiptAccepted, "laura.neri@pec.avvocati.example.it", ""},
		{"pec_presa_in_carico.eml", ReceiptTakenInCharge, "laura.neri@pec.avvocati.example.it", ""},
		{"pec_avvenuta_consegna.eml", ReceiptDelivered, "laura.neri@pec.avvocati.example.it", ""},
		{"pec_errore_consegna.eml", ReceiptDeliveryError, "laura.neri@pec.avvocati.example.it", "no-dest 5.1.1 - FAKEPEC - indirizzo non valido"},
		{"pec_preavviso_errore_consegna.eml", ReceiptDeliveryWarning, "laura.neri@pec.avvocati.example.it", "altro mancata consegna entro 12 ore"},
		{"pec_non_accettazione.eml", ReceiptNotAccepted, "laura.neri@pec.avvocati.example.it", "altro destinatario non valido"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := sample(t, tt.file)
			m := Parse(raw, Options{PEC: true})
			r := m.Receipt
			if r == nil {
				t.Fatal("no receipt")
			}
			if r.Kind != tt.kind || r.MessageID != "REFERENCED-ID" || r.Recipient != tt.recipient || r.Error != tt.errText ||
				r.Provider != "FAKEPEC S.p.A." || r.At.IsZero() || string(r.Raw) != string(raw) {
				rr := *r
				rr.Raw = nil
				t.Errorf("receipt = %+v", rr)
			}
			if !m.Automated || m.Certified != nil {
				t.Errorf("automated %v certified %v", m.Automated, m.Certified)
			}
		})
	}
}

func TestCollapse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ciao\n\n-- \nMario", "Ciao"},
		{"Ok\n\n-----Messaggio originale-----\nDa: x", "Ok"},
		{"Ok\n\nDa: Sportello <a@b.it>\nInviato: lunedì\nOggetto: x", "Ok"},
		{"Le 3 mars 2026, Sportello a écrit :\n> x", "Le 3 mars 2026, Sportello a écrit :\n> x"}, // only quotes: kept
		{"D'accord\n\nLe 3 mars 2026 à 10:00, Sportello a écrit :\n> x", "D'accord"},
		{"Sí\n\nEl lun, 2 mar 2026, Sportello escribió:\n> x", "Sí"},
		{"Il medico ha scritto una lettera.\nGrazie", "Il medico ha scritto una lettera.\nGrazie"},
		{"> citato\nrisposta sotto", "> citato\nrisposta sotto"},
	}
	for _, tt := range tests {
		if got, _ := Collapse(tt.in); got != tt.want {
			t.Errorf("Collapse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCollapseKeepsWhatItFolds(t *testing.T) {
	shown, folded := Collapse("Va bene.\n\nIl giorno 4 mar 2026, alle ore 18:05, Sportello <s@x.it> ha scritto:\n> Ci vediamo domani.")
	if shown != "Va bene." || folded != "Il giorno 4 mar 2026, alle ore 18:05, Sportello <s@x.it> ha scritto:\n> Ci vediamo domani." {
		t.Errorf("shown %q folded %q", shown, folded)
	}
}

func TestTokenAndSubject(t *testing.T) {
	if got := ReplySubject("Permesso", 12); got != "Re: Permesso [#12]" {
		t.Errorf("got %q", got)
	}
	if got := ReplySubject("R: Permesso [#12]", 12); got != "R: Permesso [#12]" {
		t.Errorf("got %q", got)
	}
	if got := ReplySubject("", 12); got != "[#12]" {
		t.Errorf("got %q", got)
	}
	for s, want := range map[string]int64{"Re: x [#12]": 12, "[#x] [#7]": 7, "nothing": 0, "[#-3]": 0} {
		if got := TokenOf(s); got != want {
			t.Errorf("TokenOf(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.eml")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"), false)
	f.Fuzz(func(t *testing.T, raw []byte, pec bool) {
		m := Parse(raw, Options{PEC: pec, MaxFile: 1 << 16})
		if m == nil || m.MessageID == "" {
			t.Fatal("no message or no id")
		}
		if m.Receipt != nil && m.Certified != nil {
			t.Fatal("both a receipt and a certified message")
		}
	})
}

func FuzzDaticert(f *testing.F) {
	for _, n := range []string{"pec_envelope.eml", "pec_avvenuta_consegna.eml", "pec_errore_consegna.eml"} {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		p := &parser{o: Options{MaxFile: 1 << 20}}
		p.message(b, 0)
		f.Add(p.daticert)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if d := parseDaticert(b); d != nil {
			_ = d.at()
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"gmail_reply.eml", "outlook_reply.eml", "attachments.eml", "pec_envelope.eml", "pec_avvenuta_consegna.eml"} {
		raw := sample(b, name)
		b.Run(strings.TrimSuffix(name, ".eml"), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				Parse(raw, Options{PEC: true})
			}
		})
	}
}
