package model

import "time"

// Certificate is what a certified e-mail provider (PEC) attests about an
// inbound message: it came in the provider's signed transport envelope,
// kept with the message as evidence.
type Certificate struct {
	Transport  string     `json:"transport"`            // "posta-certificata"; "errore" is an anomaly envelope, not legally certified
	Provider   string     `json:"provider,omitempty"`   // the sender's provider (gestore emittente)
	Identifier string     `json:"identifier,omitempty"` // the provider's id of the message
	At         *time.Time `json:"at,omitempty"`
}

// Legal reports whether the certificate has legal value.
func (c *Certificate) Legal() bool { return c != nil && c.Transport == "posta-certificata" }

// Receipt is a certified e-mail provider's receipt about one of our
// messages: accepted by our provider, delivered to a recipient's
// mailbox (the legal proof of delivery), or not.
type Receipt struct {
	Kind      string    `json:"kind"` // accettazione, avvenuta-consegna, errore-consegna…
	Recipient string    `json:"recipient,omitempty"`
	Error     string    `json:"error,omitempty"`
	Provider  string    `json:"provider,omitempty"`
	At        time.Time `json:"at"`
}
