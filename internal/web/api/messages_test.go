package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestReplyAndNote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		path := fmt.Sprintf("/api/v1/conversations/%d/messages", o.conversation)

		r := e.call("POST", path, o.adminToken, `{"body": "Buongiorno, come possiamo aiutarla?"}`)
		if r.status != http.StatusCreated {
			t.Fatalf("reply: %d %s", r.status, r.body)
		}
		var reply model.Message
		r.decode(t, &reply)
		if reply.ID == 0 || reply.Seq != 2 || reply.Direction != model.DirectionOutbound || reply.DeliveryStatus != model.DeliveryQueued ||
			reply.AuthorUserID != o.admin.ID || reply.ConversationID != o.conversation || reply.Attachments == nil {
			t.Errorf("reply: %+v", reply)
		}
		r = e.call("POST", path, o.adminToken, `{"body": "Chiede dello sfratto", "type": "note"}`)
		if r.status != http.StatusCreated {
			t.Fatalf("note: %d %s", r.status, r.body)
		}
		var note model.Message
		r.decode(t, &note)
		if note.Seq != 3 || note.Direction != model.DirectionNote || note.DeliveryStatus != model.DeliveryNone {
			t.Errorf("note: %+v", note)
		}

		var got struct{ Items []model.Message }
		e.get(path, o.adminToken, &got)
		if len(got.Items) != 3 || got.Items[0].Body != o.body || got.Items[1].ID != reply.ID || got.Items[2].ID != note.ID {
			t.Fatalf("messages: %+v", got.Items)
		}
		e.get(path+"?after_seq=1", o.adminToken, &got)
		if len(got.Items) != 2 || got.Items[0].Seq != 2 {
			t.Errorf("after_seq=1: %+v", got.Items)
		}
		e.get(path+"?after_seq=1&limit=1", o.adminToken, &got)
		if len(got.Items) != 1 || got.Items[0].Seq != 2 {
			t.Errorf("after_seq=1&limit=1: %+v", got.Items)
		}
		e.get(path+"?after_seq=3", o.adminToken, &got)
		if len(got.Items) != 0 || got.Items == nil {
			t.Errorf("after_seq=3: %+v, want an empty list", got.Items)
		}

		// The reply is the conversation's first response and its preview.
		var c model.Conversation
		e.get(fmt.Sprintf("/api/v1/conversations/%d", o.conversation), o.adminToken, &c)
		if c.FirstResponseAt == nil || c.LastSeq != 3 {
			t.Errorf("conversation after reply: %+v", c)
		}
	})
}
