package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestTemplatesAndTheWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		o, other := e.newOrg("uno"), e.newOrg("due")
		ch, err := e.d.AddChannel(ctx, o.org.ID, model.ChannelWhatsApp, "WhatsApp", channel.Settings{"phone_number_id": "1", "access_token": "t",
			"app_secret": "s", "verify_token": "v", "api_base_url": "http://127.0.0.1:1"})
		e.must(err)
		chURL := "/api/v1/channels/" + strconv.FormatInt(ch.ID, 10) + "/templates"

		if r := e.call("POST", chURL, o.volToken, `{"name":"x","language":"it","body":"x"}`); r.status != http.StatusForbidden {
			t.Errorf("volunteer registers: %d", r.status)
		}
		if r := e.call("POST", chURL, other.adminToken, `{"name":"x","language":"it","body":"x"}`); r.status != http.StatusBadRequest && r.status != http.StatusNotFound {
			t.Errorf("another organisation's channel: %d %s", r.status, r.body)
		}
		r := e.call("POST", chURL, o.adminToken, `{"name":"aggiornamento","language":"it","body":"Gentile {{1}}, {{3}}"}`)
		if code, _, field := r.errorBody(t); r.status != http.StatusBadRequest || code != "invalid" || field != "body" {
			t.Errorf("gap in placeholders: %d %s %s", r.status, code, field)
		}
		r = e.call("POST", chURL, o.adminToken, `{"name":"aggiornamento","language":"it","body":"Gentile {{1}}, la sua pratica è {{2}}."}`)
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		var tpl store.Template
		r.decode(t, &tpl)
		if tpl.Params != 2 || tpl.ChannelID != ch.ID {
			t.Errorf("created %+v", tpl)
		}
		if r := e.call("POST", chURL, o.adminToken, `{"name":"aggiornamento","language":"it","body":"x"}`); r.status != http.StatusConflict {
			t.Errorf("twice: %d", r.status)
		}
		var list struct{ Items []store.Template }
		e.get(chURL, o.adminToken, &list)
		if len(list.Items) != 1 {
			t.Errorf("list %+v", list)
		}
		if r := e.call("GET", chURL, other.adminToken, ""); r.status != http.StatusNotFound {
			t.Errorf("another organisation lists: %d", r.status)
		}

		// A WhatsApp conversation whose window closed a day ago.
		res, err := s.RecordInbound(ctx, store.Inbound{OrgID: o.org.ID, ChannelID: ch.ID, Channel: model.ChannelWhatsApp,
			From: model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}, Body: "Salve", ProviderMessageID: "wamid.1",
			At: time.Now().Add(-48 * time.Hour)})
		e.must(err)
		convURL := "/api/v1/conversations/" + strconv.FormatInt(res.ConversationID, 10)
		var ct struct {
			Window struct {
				Applies, Open bool
				EndsAt        time.Time `json:"ends_at"`
			}
			Items []store.Template
		}
		e.get(convURL+"/templates", o.adminToken, &ct)
		if !ct.Window.Applies || ct.Window.Open || ct.Window.EndsAt.IsZero() || len(ct.Items) != 1 {
			t.Errorf("conversation templates %+v", ct)
		}
		r = e.call("POST", convURL+"/messages", o.adminToken, `{"body":"Ci sono novità"}`)
		if code, _, _ := r.errorBody(t); r.status != http.StatusBadRequest || code != "invalid" {
			t.Errorf("free reply outside the window: %d %s", r.status, r.body)
		}
		r = e.call("POST", convURL+"/templates", o.adminToken, `{"template_id":`+strconv.FormatInt(tpl.ID, 10)+`,"params":["Mario"]}`)
		if r.status != http.StatusBadRequest {
			t.Errorf("one value of two: %d", r.status)
		}
		r = e.call("POST", convURL+"/templates", other.adminToken, `{"template_id":`+strconv.FormatInt(tpl.ID, 10)+`,"params":["Mario","pronta"]}`)
		if r.status != http.StatusNotFound {
			t.Errorf("another organisation sends: %d", r.status)
		}
		r = e.call("POST", convURL+"/templates", o.adminToken, `{"template_id":`+strconv.FormatInt(tpl.ID, 10)+`,"params":["Mario","pronta"]}`)
		if r.status != http.StatusCreated {
			t.Fatalf("send: %d %s", r.status, r.body)
		}
		var m model.Message
		r.decode(t, &m)
		if m.Body != "Gentile Mario, la sua pratica è pronta." || m.Template == nil || m.Template.Name != "aggiornamento" || m.DeliveryStatus != model.DeliveryQueued {
			t.Errorf("message %+v", m)
		}
		// The web chat has no window.
		e.get("/api/v1/conversations/"+strconv.FormatInt(o.conversation, 10)+"/templates", o.adminToken, &ct)
		if ct.Window.Applies || !ct.Window.Open || len(ct.Items) != 0 {
			t.Errorf("web chat: %+v", ct)
		}

		tplURL := "/api/v1/templates/" + strconv.FormatInt(tpl.ID, 10)
		if r := e.call("DELETE", tplURL, other.adminToken, ""); r.status != http.StatusNotFound {
			t.Errorf("another organisation deletes: %d", r.status)
		}
		if r := e.call("DELETE", tplURL, o.adminToken, ""); r.status != http.StatusOK {
			t.Errorf("delete: %d %s", r.status, r.body)
		}
		if r := e.call("DELETE", tplURL, o.adminToken, ""); r.status != http.StatusNotFound {
			t.Errorf("delete twice: %d", r.status)
		}
	})
}
