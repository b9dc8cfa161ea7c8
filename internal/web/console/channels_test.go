package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestChannelsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := t.Context()
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		admin := e.client().signIn("admin@desk.example")

		// An admin adds an API channel; the secret never comes back.
		r := admin.send("/admin/channels", url.Values{"kind": {"api"}, "name": {"App del comune"},
			"set_callback_url": {"https://app.example.org/cb"}, "set_callback_secret": {"s3cret-value"}})
		wantStatus(t, "create", r, http.StatusSeeOther)
		loc := r.location()
		if !strings.HasPrefix(loc, "/admin/channels/") {
			t.Fatalf("created: redirected to %q", loc)
		}
		page := admin.get(loc).body
		wantContains(t, "channel page", page, "https://app.example.org/cb", "App del comune")
		wantMissing(t, "channel page", page, "s3cret-value")

		// Saving with the secret left empty keeps it.
		path := strings.SplitN(loc, "?", 2)[0]
		wantStatus(t, "update", admin.send(path, url.Values{"name": {"App"}, "active": {"yes"}, "set_callback_url": {"https://app.example.org/v2"}}), http.StatusSeeOther)
		chs, err := s.Channels(ctx, e.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		var api *model.Channel
		for _, c := range chs {
			if c.Kind == model.ChannelAPI {
				api = c
			}
		}
		if api == nil || api.Name != "App" || !strings.Contains(api.Settings, "s3cret-value") || !strings.Contains(api.Settings, "/v2") {
			t.Fatalf("after the update: %+v", api)
		}
		// Unknown kinds and missing names are refused with the reason.
		wantStatus(t, "bad kind", admin.get("/admin/channels/new?kind=pigeon"), http.StatusBadRequest)
		wantStatus(t, "no name", admin.send("/admin/channels", url.Values{"kind": {"api"}}), http.StatusBadRequest)

		// A reply that failed shows on the list and on its conversation,
		// with a button that queues it again.
		res, err := s.RecordInbound(ctx, store.Inbound{OrgID: e.org.ID, ChannelID: api.ID, Channel: api.Kind,
			From: model.Identity{Kind: model.IdentityExternal, Value: "u-1"}, ProviderMessageID: "m-1", Body: "Salve"})
		if err != nil {
			t.Fatal(err)
		}
		failed := &model.Message{Direction: model.DirectionOutbound, Body: "Risposta", DeliveryStatus: model.DeliveryFailed, Error: "provider answered 400: bad recipient"}
		if err := s.AddMessage(ctx, e.org.ID, res.ConversationID, failed); err != nil {
			t.Fatal(err)
		}
		list := admin.get("/admin/channels").body
		wantContains(t, "health", list, `<td><strong>1</strong></td>`)
		conv := admin.get(convURL(res.ConversationID)).body
		retry := convURL(res.ConversationID) + "/messages/" + id(failed.ID) + "/retry"
		wantContains(t, "failed reply", conv, "provider answered 400: bad recipient", `action="`+retry+`"`)
		wantStatus(t, "retry", admin.send(retry, url.Values{}), http.StatusSeeOther)
		if m, _ := s.Message(ctx, e.org.ID, failed.ID); m.DeliveryStatus != model.DeliveryQueued {
			t.Errorf("after retry: %s", m.DeliveryStatus)
		}
		wantStatus(t, "retry again", admin.send(retry, url.Values{}), http.StatusBadRequest)

		// The citizen's file is a link on the conversation, served to those
		// who may see it, and to nobody else.
		att, err := e.files.Put(ctx, e.org.ID, "permesso.jpg", "image/jpeg", strings.NewReader("\xff\xd8\xff\xe0 a photo"))
		if err != nil {
			t.Fatal(err)
		}
		withFile := &model.Message{Direction: model.DirectionNote, Body: "foto del permesso", Attachments: []model.Attachment{}}
		if err := s.AddMessage(ctx, e.org.ID, res.ConversationID, withFile); err != nil {
			t.Fatal(err)
		}
		att.MessageID = withFile.ID
		if err := s.CreateAttachment(ctx, &att); err != nil {
			t.Fatal(err)
		}
		fileURL := convURL(res.ConversationID) + "/files/" + id(att.ID)
		wantContains(t, "file link", admin.get(convURL(res.ConversationID)).body, `href="`+fileURL+`"`)
		r = admin.get(fileURL)
		wantStatus(t, "file", r, http.StatusOK)
		if r.header.Get("Content-Type") != "image/jpeg" || r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("file headers %v", r.header)
		}
		wantStatus(t, "file of another conversation", admin.get(convURL(res.ConversationID+1000)+"/files/"+id(att.ID)), http.StatusNotFound)
		wantStatus(t, "volunteer's file", e.client().signIn("vol@desk.example").get(fileURL), http.StatusNotFound)

		// Coordinators see the health, not the settings; operators neither.
		coord := e.client().signIn("coord@desk.example")
		wantStatus(t, "coordinator list", coord.get("/admin/channels"), http.StatusOK)
		wantMissing(t, "coordinator list", coord.get("/admin/channels").body, `href="`+path+`"`)
		wantStatus(t, "coordinator edit", coord.get(path), http.StatusForbidden)
		op := e.client().signIn("op@desk.example")
		wantStatus(t, "operator list", op.get("/admin/channels"), http.StatusForbidden)
	})
}
