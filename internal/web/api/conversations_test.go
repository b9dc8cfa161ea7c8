package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestListConversationsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		ctx := context.Background()
		arabic := e.inbound(o, "v-ar", "Fatima Zahra", "مرحبا", "ar").ConversationID
		pending := e.inbound(o, "v-pending", "Mario Rossi", "ciao", "it").ConversationID
		teamed := e.inbound(o, "v-team", "Jean Dupont", "bonjour", "fr").ConversationID
		volunteers := e.inbound(o, "v-vol", "Ana López", "hola", "es").ConversationID
		tagged := e.inbound(o, "v-tag", "John Smith", "hello", "en").ConversationID
		mine := e.inbound(o, "v-mine", "Li Wei", "ni hao", "zh").ConversationID
		patch := func(id int64, p store.ConversationPatch) {
			t.Helper()
			if _, err := s.UpdateConversation(ctx, o.org.ID, id, 0, p); err != nil {
				t.Fatal(err)
			}
		}
		pendingStatus := model.StatusPending
		patch(pending, store.ConversationPatch{Status: &pendingStatus})
		patch(teamed, store.ConversationPatch{TeamID: &o.team.ID})
		patch(volunteers, store.ConversationPatch{AssigneeID: &o.vol.ID})
		patch(tagged, store.ConversationPatch{Tags: &[]string{"Urgente", "casa"}})
		patch(mine, store.ConversationPatch{AssigneeID: &o.admin.ID})
		all := []int64{o.conversation, arabic, pending, teamed, volunteers, tagged, mine}
		allBut := func(ids ...int64) []int64 {
			return slices.DeleteFunc(slices.Clone(all), func(id int64) bool { return slices.Contains(ids, id) })
		}

		tests := []struct {
			query string
			want  []int64
		}{
			{"", all},
			{"status=pending", []int64{pending}},
			{"status=open", allBut(pending)},
			{"status=closed", nil},
			{fmt.Sprintf("team=%d", o.team.ID), []int64{teamed}},
			{"team=none", allBut(teamed)},
			{"assignee=me", []int64{mine}},
			{fmt.Sprintf("assignee=%d", o.vol.ID), []int64{volunteers}},
			{"assignee=none", allBut(volunteers, mine)},
			{"channel=web", all},
			{"channel=email", nil},
			{"language=ar", []int64{arabic}},
			{"language=AR", []int64{arabic}},
			{"tag=urgente", []int64{tagged}},
			{"tag=URGENTE", []int64{tagged}},
			{"tag=nothing", nil},
			{fmt.Sprintf("contact=%d", o.contact), []int64{o.conversation}},
			{"q=" + url.QueryEscape("rossi"), []int64{pending}},
			{"q=" + url.QueryEscape("100%"), nil},
			{"q=" + url.QueryEscape("bonjour"), []int64{teamed}},
			{"status=open&assignee=none&team=none", allBut(pending, teamed, volunteers, mine)},
			{"lang=it&limit=200", all},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				var p page
				e.get("/api/v1/conversations?"+tt.query, o.adminToken, &p)
				got := p.ids(t)
				slices.Sort(got)
				want := slices.Clone(tt.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
				if p.NextCursor != nil {
					t.Errorf("next_cursor %q on a single page", *p.NextCursor)
				}
			})
		}

		// Paging two at a time visits every conversation once, newest
		// activity first, and the last page says so with null.
		var seen []int64
		cursor, pages := "", 0
		for {
			var p page
			e.get("/api/v1/conversations?limit=2&cursor="+cursor, o.adminToken, &p)
			pages++
			if len(p.Items) > 2 {
				t.Fatalf("page %d has %d items, limit 2", pages, len(p.Items))
			}
			seen = append(seen, p.ids(t)...)
			if p.NextCursor == nil {
				break
			}
			if pages > len(all) {
				t.Fatal("paging does not end")
			}
			cursor = *p.NextCursor
		}
		if len(seen) != len(all) || pages != (len(all)+1)/2 {
			t.Errorf("paging saw %v in %d pages, want %d conversations in %d pages", seen, pages, len(all), (len(all)+1)/2)
		}
		var whole page
		e.get("/api/v1/conversations", o.adminToken, &whole)
		if got := whole.ids(t); !slices.Equal(seen, got) {
			t.Errorf("pages give %v, one list gives %v", seen, got)
		}
	})
}

func TestPatchThenGet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		path := fmt.Sprintf("/api/v1/conversations/%d", o.conversation)
		body := fmt.Sprintf(`{"status": "pending", "priority": 2, "team_id": %d, "assignee_id": %d, "tags": ["Casa", "lavoro"],
			"language": "AR", "subject": "Affitto"}`, o.team.ID, o.vol.ID)
		r := e.call("PATCH", path, o.adminToken, body)
		if r.status != http.StatusOK {
			t.Fatalf("PATCH: %d %s", r.status, r.body)
		}
		var patched, got model.Conversation
		r.decode(t, &patched)
		e.get(path, o.adminToken, &got)
		for _, c := range []model.Conversation{patched, got} {
			if c.Status != model.StatusPending || c.Priority != model.PriorityHigh || c.TeamID != o.team.ID || c.AssigneeID != o.vol.ID ||
				!slices.Equal(c.Tags, []string{"casa", "lavoro"}) || c.Language != "ar" || c.Subject != "Affitto" {
				t.Errorf("conversation after PATCH: %+v", c)
			}
		}

		// Snoozing, then clearing team and assignee with 0; fields left out
		// stay as they are.
		until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		r = e.call("PATCH", path, o.adminToken, fmt.Sprintf(`{"snoozed_until": %q, "team_id": 0, "assignee_id": 0, "tags": null}`, until.Format(time.RFC3339)))
		if r.status != http.StatusOK {
			t.Fatalf("PATCH snooze: %d %s", r.status, r.body)
		}
		got = model.Conversation{} // team_id and assignee_id are left out when unset
		e.get(path, o.adminToken, &got)
		if got.Status != model.StatusSnoozed || got.SnoozedUntil == nil || !got.SnoozedUntil.Equal(until) ||
			got.TeamID != 0 || got.AssigneeID != 0 || got.Priority != model.PriorityHigh || len(got.Tags) != 2 {
			t.Errorf("after snooze: %+v", got)
		}

		// Each change is an event in the timeline.
		var msgs struct{ Items []model.Message }
		e.get(path+"/messages", o.adminToken, &msgs)
		var events int
		for _, m := range msgs.Items {
			if m.Direction == model.DirectionEvent {
				events++
			}
		}
		if events < 5 {
			t.Errorf("%d events in the timeline, want at least 5: %+v", events, msgs.Items)
		}
	})
}
