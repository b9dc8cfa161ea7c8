package email

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message"
)

// PEC (posta elettronica certificata, DPR 68/2005 and the technical rules
// of DM 2 November 2005) wraps what a certified mailbox receives in a
// transport envelope signed by the sender's provider: the sender's own
// message travels as postacert.eml, the provider's certificate as
// daticert.xml. The providers also send receipts about our messages,
// named by the X-Ricevuta header and tied to our Message-ID by
// X-Riferimento-Message-ID.

// Receipt kinds (X-Ricevuta and daticert.xml's postacert/@tipo).
const (
	ReceiptAccepted        = "accettazione"              // our provider took the message
	ReceiptNotAccepted     = "non-accettazione"          // our provider refused it
	ReceiptTakenInCharge   = "presa-in-carico"           // the recipient's provider took it
	ReceiptDelivered       = "avvenuta-consegna"         // deposited in the recipient's mailbox: legal delivery
	ReceiptDeliveryError   = "errore-consegna"           // could not be delivered (mancata consegna)
	ReceiptDeliveryWarning = "preavviso-errore-consegna" // not delivered within 12 hours
	ReceiptVirus           = "rilevazione-virus"         // refused: a virus was found
)

// Certificate is what the provider certified about an inbound message.
type Certificate struct {
	Transport string // "posta-certificata"; "errore" is an anomaly envelope: not legally certified
	Provider  string // gestore-emittente
	ID        string // the provider's identifier of the message
	At        time.Time
	Envelope  []byte // the envelope as received, kept as evidence
}

// Receipt is a provider's receipt about one of our messages.
type Receipt struct {
	Kind      string // one of the Receipt… constants, or what the header said
	MessageID string // ours, without brackets
	Recipient string // the mailbox it concerns (for delivery receipts)
	Error     string // errore and errore-esteso, for failures
	Provider  string
	At        time.Time
	Raw       []byte // the receipt as received, kept as evidence
}

// daticert is the provider's certificate (daticert.xml).
type daticert struct {
	XMLName     xml.Name `xml:"postacert"`
	Tipo        string   `xml:"tipo,attr"`
	Errore      string   `xml:"errore,attr"`
	Mittente    string   `xml:"intestazione>mittente"`
	Destinatari []string `xml:"intestazione>destinatari"`
	Oggetto     string   `xml:"intestazione>oggetto"`
	Gestore     string   `xml:"dati>gestore-emittente"`
	Data        struct {
		Zona   string `xml:"zona,attr"`
		Giorno string `xml:"giorno"`
		Ora    string `xml:"ora"`
	} `xml:"dati>data"`
	Ident        string `xml:"dati>identificativo"`
	MsgID        string `xml:"dati>msgid"`
	Consegna     string `xml:"dati>consegna"`
	ErroreEsteso string `xml:"dati>errore-esteso"`
}

// parseDaticert reads daticert.xml; nil when it cannot be read.
func parseDaticert(b []byte) *daticert {
	if len(b) == 0 {
		return nil
	}
	var d daticert
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.CharsetReader = func(cs string, in io.Reader) (io.Reader, error) {
		if message.CharsetReader == nil {
			return in, nil
		}
		return message.CharsetReader(strings.ToLower(cs), in)
	}
	if err := dec.Decode(&d); err != nil {
		return nil
	}
	return &d
}

// at is the certificate's time: "giorno" dd/mm/yyyy, "ora" hh:mm:ss, in
// the zone given as "+0100".
func (d *daticert) at() time.Time {
	t, err := time.Parse("02/01/2006 15:04:05 -0700", strings.TrimSpace(d.Data.Giorno)+" "+strings.TrimSpace(d.Data.Ora)+" "+strings.TrimSpace(d.Data.Zona))
	if err != nil {
		return time.Time{}
	}
	return t
}

// pec recognises a PEC envelope or receipt in raw, read already as m. It
// returns nil for ordinary mail.
func (p *parser) pec(raw []byte, m *Message) *Message {
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil && err != nil {
		return nil
	}
	h := e.Header
	kind := strings.ToLower(strings.TrimSpace(h.Get("X-Ricevuta")))
	transport := strings.ToLower(strings.TrimSpace(h.Get("X-Trasporto")))
	d := parseDaticert(p.daticert)
	if kind == "" && transport == "" {
		return nil
	}
	if kind != "" && kind != "posta-certificata" {
		r := &Receipt{Kind: kind, MessageID: msgID(h.Get("X-Riferimento-Message-Id")), Raw: raw}
		if d != nil {
			if r.MessageID == "" {
				r.MessageID = msgID(d.MsgID)
			}
			r.Recipient = strings.ToLower(strings.TrimSpace(d.Consegna))
			if r.Recipient == "" && len(d.Destinatari) == 1 {
				r.Recipient = strings.ToLower(strings.TrimSpace(d.Destinatari[0]))
			}
			r.Provider, r.At = strings.TrimSpace(d.Gestore), d.at()
			if e := strings.TrimSpace(d.Errore); e != "" && e != "nessuno" {
				r.Error = e
			}
			if x := strings.TrimSpace(d.ErroreEsteso); x != "" {
				r.Error = strings.TrimSpace(r.Error + " " + x)
			}
		}
		if r.Error == "" && (kind == ReceiptDeliveryError || kind == ReceiptNotAccepted || kind == ReceiptVirus || kind == ReceiptDeliveryWarning) {
			r.Error = m.Subject
		}
		return &Message{MessageID: m.MessageID, Subject: m.Subject, From: m.From, Name: m.Name, Date: m.Date,
			Text: m.Text, Automated: true, Receipt: r}
	}
	// A transport envelope: the sender's message is inside.
	if p.postacert == nil {
		m.Problems = append(m.Problems, Problem{Kind: "malformed", Detail: "PEC envelope without postacert.eml"})
		return nil
	}
	inner := (&parser{o: p.o}).message(p.postacert, 1)
	inner.Certified = &Certificate{Transport: transport, Envelope: raw}
	if inner.Certified.Transport == "" {
		inner.Certified.Transport = "posta-certificata"
	}
	if d != nil {
		inner.Certified.Provider, inner.Certified.ID, inner.Certified.At = strings.TrimSpace(d.Gestore), strings.TrimSpace(d.Ident), d.at()
		if inner.From == "" {
			inner.From = strings.ToLower(strings.TrimSpace(d.Mittente))
		}
	}
	// The envelope's id is what the provider delivered; the citizen's own
	// id threads their replies.
	if inner.MessageID == "" {
		inner.MessageID = m.MessageID
	}
	inner.Problems = append(m.Problems, inner.Problems...)
	return inner
}
