package console_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// TestEmailChannelPages: an admin connects a PEC mailbox from the
// console; a certified message shows its mark, a reply its receipts.
func TestEmailChannelPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := t.Context()
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		admin := e.client().signIn("admin@desk.example")

		r := admin.send("/admin/channels", url.Values{"kind": {"email"}, "name": {"PEC"},
			"set_address": {"sportello@pec.example.it"}, "set_imap_url": {"imaps://imap.pec.example.it:993"},
			"set_smtp_url": {"smtps://smtp.pec.example.it:465"}, "set_username": {"sportello@pec.example.it"},
			"set_password": {"pec-password-1"}, "set_pec": {"true"}})
		wantStatus(t, "create", r, http.StatusSeeOther)
		page := admin.get(r.location()).body
		wantContains(t, "channel page", page, "imaps://imap.pec.example.it:993", "sportello@pec.example.it")
		wantMissing(t, "channel page", page, "pec-password-1")
		wantStatus(t, "bad url", admin.send("/admin/channels", url.Values{"kind": {"email"}, "name": {"X"},
			"set_address": {"a@b.it"}, "set_imap_url": {"ftp://x"}, "set_smtp_url": {"smtps://x"}}), http.StatusBadRequest)

		chs, err := s.Channels(ctx, e.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		var pec *model.Channel
		for _, c := range chs {
			if c.Kind == model.ChannelEmail {
				pec = c
			}
		}
		at := time.Date(2026, 3, 10, 8, 30, 5, 0, time.UTC)
		res, err := s.RecordInbound(ctx, store.Inbound{OrgID: e.org.ID, ChannelID: pec.ID, Channel: pec.Kind,
			From: model.Identity{Kind: model.IdentityEmail, Value: "laura.neri@pec.avvocati.example.it"}, ProviderMessageID: "inner-1@pec",
			Body: "Si trasmette l'istanza.", NewThread: true, Subject: "Istanza", Quoted: "-- \nAvv. Laura Neri, foro di Perugia",
			Certificate: &model.Certificate{Transport: "posta-certificata", Provider: "FAKEPEC S.p.A.", Identifier: "opec-1", At: &at}})
		if err != nil {
			t.Fatal(err)
		}
		out := &model.Message{Direction: model.DirectionOutbound, Body: "Ricevuta", DeliveryStatus: model.DeliveryQueued}
		if err := s.AddMessage(ctx, e.org.ID, res.ConversationID, out); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkSent(ctx, e.org.ID, out.ID, pec.ID, "sportello.1.abc@pec.example.it"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddReceipt(ctx, e.org.ID, pec.ID, "sportello.1.abc@pec.example.it",
			model.Receipt{Kind: "avvenuta-consegna", Recipient: "laura.neri@pec.avvocati.example.it", At: at.Add(time.Minute)}, model.DeliveryDelivered, ""); err != nil {
			t.Fatal(err)
		}
		conv := admin.get(convURL(res.ConversationID)).body
		wantContains(t, "conversation", conv, `<details class="quoted">`, "Avv. Laura Neri, foro di Perugia", `class="badge certified"`, "FAKEPEC S.p.A.", `<ul class="receipts"`,
			"<bdi>laura.neri@pec.avvocati.example.it</bdi>")
		wantMissing(t, "conversation", conv, "anomaly")
	})
}
