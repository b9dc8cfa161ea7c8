package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// TestTranscripts: POST /conversations/{id}/transcript queues the
// transcript to the contact's address (202), GET …/transcripts lists it;
// no e-mail channel (409), no address (400 naming email), a volunteer on
// a conversation not theirs (404), the fourth of the hour (429) are
// refused with their reasons.
func TestTranscripts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		post := fmt.Sprintf("/api/v1/conversations/%d/transcript", o.conversation)
		list := fmt.Sprintf("/api/v1/conversations/%d/transcripts", o.conversation)

		r := e.call("POST", post, o.adminToken, "")
		if code, _, _ := r.errorBody(t); r.status != http.StatusConflict || code != "conflict" {
			t.Errorf("without e-mail channel: %d %s", r.status, r.body)
		}
		_, err := e.d.AddChannel(ctx, o.org.ID, model.ChannelEmail, "Posta", channel.Settings{"address": "desk@alpha.example",
			"imap_url": "imaps://127.0.0.1:1", "smtp_url": "smtps://127.0.0.1:1"})
		e.must(err)
		r = e.call("POST", post, o.adminToken, "", "Accept-Language", "fr")
		if _, msg, field := r.errorBody(t); r.status != http.StatusBadRequest || field != "email" || msg != "Le contact n'a laissé aucune adresse e-mail." {
			t.Errorf("without the contact's address: %d %s", r.status, r.body)
		}
		e.must(s.AddIdentity(ctx, o.org.ID, o.contact, model.Identity{Kind: model.IdentityEmail, Value: "citizen@alpha.example"}))

		r = e.call("POST", post, o.volToken, "")
		if r.status != http.StatusNotFound {
			t.Errorf("a volunteer, not assigned: %d %s", r.status, r.body)
		}
		r = e.call("POST", "/api/v1/conversations/nope/transcript", o.adminToken, "")
		if _, _, field := r.errorBody(t); r.status != http.StatusBadRequest || field != "id" {
			t.Errorf("a bad id: %d %s", r.status, r.body)
		}
		r = e.call("POST", post, o.adminToken, `{"email": "someone-else@example.org"}`)
		if _, _, field := r.errorBody(t); r.status != http.StatusBadRequest || field != "email" {
			t.Errorf("naming an address: %d %s, want 400: the address is the contact's", r.status, r.body)
		}
		r = e.call("POST", post, o.adminToken, `{}`)
		if r.status != http.StatusAccepted {
			t.Fatalf("send: %d %s", r.status, r.body)
		}
		var tr struct {
			ID             int64
			ConversationID int64 `json:"conversation_id"`
			Recipient      string
			State          string
			RequestedBy    int64 `json:"requested_by"`
		}
		r.decode(t, &tr)
		if tr.ID == 0 || tr.ConversationID != o.conversation || tr.Recipient != "citizen@alpha.example" || tr.State != "queued" || tr.RequestedBy != o.admin.ID {
			t.Errorf("the transcript: %+v", tr)
		}
		var got struct{ Items []struct{ ID int64 } }
		e.get(list, o.adminToken, &got)
		if len(got.Items) != 1 || got.Items[0].ID != tr.ID {
			t.Errorf("list: %+v", got.Items)
		}
		for i := 2; i <= 3; i++ {
			if r := e.call("POST", post, o.adminToken, ""); r.status != http.StatusAccepted {
				t.Fatalf("send %d: %d %s", i, r.status, r.body)
			}
		}
		r = e.call("POST", post, o.adminToken, "")
		if code, _, _ := r.errorBody(t); r.status != http.StatusTooManyRequests || code != "rate_limited" {
			t.Errorf("the fourth within the hour: %d %s", r.status, r.body)
		}
	})
}
