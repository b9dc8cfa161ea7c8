package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestWhatsAppWindowAndTemplatesInTheConsole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := t.Context()
		p := e.it()
		e.user("admin@desk.example", "Ada Amministratrice", model.RoleAdmin)
		ch, err := e.d.AddChannel(ctx, e.org.ID, model.ChannelWhatsApp, "WhatsApp", channel.Settings{"phone_number_id": "1", "access_token": "t",
			"app_secret": "s", "verify_token": "v", "api_base_url": "http://127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		admin := e.client().signIn("admin@desk.example")
		coord := e.client().signIn("coord@desk.example")

		// Only those who manage channels register templates.
		wantStatus(t, "coordinator lists", coord.get("/admin/templates"), http.StatusForbidden)
		wantMissing(t, "coordinator's navigation", coord.get("/inbox").body, `href="/admin/templates"`)
		r := admin.get("/admin/templates")
		wantStatus(t, "empty list", r, http.StatusOK)
		wantContains(t, "empty list", r.body, html(p.T("template.none", nil)), `href="/admin/templates" aria-current="page"`, ">WhatsApp</option>")
		cid := strconv.FormatInt(ch.ID, 10)
		r = admin.send("/admin/templates", url.Values{"channel_id": {cid}, "name": {"Promemoria"}, "language": {"it"}, "body": {"Gentile {{1}}"}})
		wantStatus(t, "bad name", r, http.StatusBadRequest)
		wantContains(t, "bad name", r.body, `id="name-error"`, html(p.T("template.error_name", nil)), `>Gentile {{1}}</textarea>`)
		r = admin.send("/admin/templates", url.Values{"channel_id": {strconv.FormatInt(e.channel.ID, 10)}, "name": {"x"}, "language": {"it"}, "body": {"x"}})
		wantStatus(t, "web chat channel", r, http.StatusBadRequest)
		r = admin.send("/admin/templates", url.Values{"channel_id": {cid}, "name": {"promemoria_appuntamento"}, "language": {"it"},
			"body": {"Gentile {{1}}, le ricordiamo l'appuntamento del {{2}}. <b>Risponda</b> per confermare."}})
		wantStatus(t, "create", r, http.StatusSeeOther)
		r = admin.get(r.location())
		wantContains(t, "after create", r.body, html(p.T("template.saved", nil)), "promemoria_appuntamento", "&lt;b&gt;Risponda&lt;/b&gt;")

		// A conversation whose citizen wrote 30 hours ago.
		res, err := s.RecordInbound(ctx, store.Inbound{OrgID: e.org.ID, ChannelID: ch.ID, Channel: model.ChannelWhatsApp,
			From: model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}, DisplayName: "Amina", Body: "Salve",
			ProviderMessageID: "wamid.1", At: time.Now().Add(-30 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		id := res.ConversationID
		r = coord.get(convURL(id))
		wantContains(t, "closed window", r.body, html(p.T("whatsapp.window_closed", nil)), "promemoria_appuntamento · it", `name="p1"`, `name="p2"`,
			`action="`+convURL(id)+`/template"`)
		wantMissing(t, "closed window", r.body, `name="direction" value="reply"`, "data-window-ends")
		// A free reply is refused with the reason, the draft kept.
		r = coord.send(convURL(id)+"/messages", url.Values{"body": {"Ci sono novità"}, "direction": {"reply"}})
		wantStatus(t, "free reply", r, http.StatusBadRequest)
		wantContains(t, "free reply", r.body, html(p.T("whatsapp.error_window_closed", nil)))
		// The template, one value missing: back with the values typed.
		tid := ""
		if list, _ := s.Templates(ctx, e.org.ID, ch.ID); len(list) == 1 {
			tid = strconv.FormatInt(list[0].ID, 10)
		}
		r = coord.send(convURL(id)+"/template", url.Values{"template_id": {tid}, "p1": {"Amina"}})
		wantStatus(t, "one value", r, http.StatusBadRequest)
		wantContains(t, "one value", r.body, html(p.T("template.error_param_count", nil)), `value="Amina"`, "<details class=\"wa-template\" open>")
		r = coord.send(convURL(id)+"/template", url.Values{"template_id": {tid}, "p1": {"Amina"}, "p2": {"12 marzo"}})
		wantStatus(t, "template", r, http.StatusSeeOther)
		ms := e.messages(id)
		last := ms[len(ms)-1]
		if last.Body != "Gentile Amina, le ricordiamo l'appuntamento del 12 marzo. <b>Risponda</b> per confermare." || last.Template == nil ||
			last.DeliveryStatus != model.DeliveryQueued {
			t.Errorf("template message %+v", last)
		}

		// The citizen writes again: the countdown, and free replies.
		if _, err := s.RecordInbound(ctx, store.Inbound{OrgID: e.org.ID, ChannelID: ch.ID, Channel: model.ChannelWhatsApp,
			From: model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}, Body: "Confermo", ProviderMessageID: "wamid.2"}); err != nil {
			t.Fatal(err)
		}
		r = coord.get(convURL(id))
		wantContains(t, "open window", r.body, "data-window-ends=", html(p.T("whatsapp.window_open", nil)), `name="direction" value="reply"`)
		if !strings.Contains(r.body, ">23:59</time>") && !strings.Contains(r.body, ">24:00</time>") {
			t.Errorf("countdown not near 24 hours")
		}
		wantMissing(t, "open window", r.body, html(p.T("whatsapp.window_closed", nil)))
		r = coord.send(convURL(id)+"/messages", url.Values{"body": {"Ci sono novità"}, "direction": {"reply"}})
		wantStatus(t, "free reply inside the window", r, http.StatusSeeOther)

		// Deleting a template.
		r = admin.send("/admin/templates/"+tid+"/delete", url.Values{})
		wantStatus(t, "delete", r, http.StatusSeeOther)
		if list, _ := s.Templates(ctx, e.org.ID, 0); len(list) != 0 {
			t.Errorf("after delete: %d templates", len(list))
		}
	})
}
