package desk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return l
}()

// romeTime is a wall-clock time in Rome.
func romeTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, rome)
}

// sportello is a desk like the demo's: open Monday to Friday 9:30–18:00
// in Rome, a first-contact team of Chiara (Italian, English), Luca
// (Italian, French) and Karim (Arabic, French, Italian; a mediator), a
// rule that sends the web chat there, and a coordinator. The store and
// the desk share one settable clock.
type sportello struct {
	d                          *desk.Service
	s                          *store.Store
	clock                      *clock
	org                        *model.Organization
	team                       *model.Team
	web, sms                   *model.Channel
	chiara, luca, karim, coord *model.User
	presence                   *desk.Presence
	hub                        *realtime.Hub
}

func newSportello(t *testing.T, e store.Engine, at time.Time) *sportello {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: at}
	s, err := store.Open(ctx, storetest.URL(t, e), store.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	hub := realtime.NewHub(0)
	d, err := desk.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{PasswordParams: auth.TestPasswordParams(), Now: c.now, Hub: hub})
	if err != nil {
		t.Fatal(err)
	}
	w := &sportello{d: d, s: s, clock: c, hub: hub}
	w.org = &model.Organization{Slug: "demo", Name: "Demo", TimeZone: "Europe/Rome", Language: "it"}
	if err := s.CreateOrganization(ctx, w.org); err != nil {
		t.Fatal(err)
	}
	user := func(name, email string, role model.Role, max int, langs ...string) *model.User {
		u := &model.User{OrgID: w.org.ID, Email: email, Name: name, Role: role, Languages: langs, Active: true, MaxChats: max}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.chiara = user("Chiara", "chiara@demo.example", model.RoleOperator, 8, "it", "en")
	w.luca = user("Luca", "luca@demo.example", model.RoleOperator, 8, "it", "fr")
	w.karim = user("Karim", "karim.benali@demo.example", model.RoleMediator, 6, "ar", "fr", "it")
	w.coord = user("Marco", "marco@demo.example", model.RoleAdmin, 0, "it", "en")
	w.team = &model.Team{OrgID: w.org.ID, Slug: "primo-contatto", Name: "Primo contatto", MemberIDs: []int64{w.chiara.ID, w.luca.ID, w.karim.ID}}
	if err := s.CreateTeam(ctx, w.team); err != nil {
		t.Fatal(err)
	}
	if w.web, err = s.DefaultChannel(ctx, w.org.ID, model.ChannelWeb); err != nil {
		t.Fatal(err)
	}
	if w.sms, err = s.DefaultChannel(ctx, w.org.ID, model.ChannelSMS); err != nil {
		t.Fatal(err)
	}
	admin := w.actor(t, w.coord)
	day := []hours.Shift{{Start: "09:30", End: "18:00"}}
	cal := hours.Calendar{TimeZone: "Europe/Rome", Weekly: hours.Weekly{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day}}
	if err := d.SetCalendar(ctx, admin, store.CalendarRef{}, cal); err != nil {
		t.Fatal(err)
	}
	if err := d.SaveRoutingRule(ctx, admin, &routing.Rule{Name: "Web chat", Channel: model.ChannelWeb, TeamID: w.team.ID}); err != nil {
		t.Fatal(err)
	}
	w.presence = d.NewPresence()
	return w
}

func (w *sportello) actor(t *testing.T, u *model.User) *desk.Actor {
	t.Helper()
	teams, err := w.s.TeamsOf(context.Background(), w.org.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &desk.Actor{User: u, TeamIDs: teams, Via: "session"}
}

// online opens a console tab for u.
func (w *sportello) online(t *testing.T, u *model.User) *desk.Tab {
	t.Helper()
	tab := w.presence.Join(w.actor(t, u))
	t.Cleanup(tab.Leave)
	return tab
}

// write is a citizen's message on the web chat, in the page's language.
func (w *sportello) write(t *testing.T, visitor, lang, body string) store.InboundResult {
	t.Helper()
	res, err := w.d.ReceiveWeb(context.Background(), store.Inbound{OrgID: w.org.ID, ChannelID: w.web.ID, Channel: model.ChannelWeb,
		From: model.Identity{Kind: model.IdentityWeb, Value: visitor}, Language: lang, Body: body,
		ProviderMessageID: visitor + ":" + body}, "")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (w *sportello) conv(t *testing.T, id int64) *model.Conversation {
	t.Helper()
	c, err := w.s.Conversation(context.Background(), w.org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *sportello) messages(t *testing.T, id int64) []*model.Message {
	t.Helper()
	msgs, err := w.s.Messages(context.Background(), w.org.ID, id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// autoReplies are the system's replies of a conversation.
func autoReplies(msgs []*model.Message) []*model.Message {
	var out []*model.Message
	for _, m := range msgs {
		if m.Direction == model.DirectionOutbound && m.AuthorUserID == 0 {
			out = append(out, m)
		}
	}
	return out
}

func TestOutOfHoursReplyAndQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Friday 6 March 2026, 18:05: five minutes after closing.
		w := newSportello(t, s.Engine(), romeTime(2026, time.March, 6, 18, 5))
		admin := w.actor(t, w.coord)
		if err := w.d.SetOutOfHours(ctx, admin, desk.OutOfHours{Emergency: map[string]string{"it": "112", "ar": "112 (طوارئ)"}}); err != nil {
			t.Fatal(err)
		}
		sub := w.hub.Subscribe(realtime.ConversationTopic(1))
		defer sub.Close()

		friday := w.write(t, "fatima", "ar", "السلام عليكم، أحتاج مساعدة في تجديد الإقامة")
		replies := autoReplies(w.messages(t, friday.ConversationID))
		if len(replies) != 1 {
			t.Fatalf("%d automatic replies, want 1", len(replies))
		}
		r := replies[0]
		for _, want := range []string{"الاثنين", "9:30", "112 (طوارئ)"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the reply %q does not say %q", r.Body, want)
			}
		}
		if r.DeliveryStatus != model.DeliveryQueued || r.Seq <= friday.Seq {
			t.Errorf("reply %+v: want queued, after the message", r)
		}
		if ev := next(t, sub); ev.Type != "message" || ev.Seq != friday.Seq {
			t.Errorf("the citizen's page got %+v, want their message", ev)
		}
		if ev := next(t, sub); ev.Type != "message" || ev.Seq != r.Seq {
			t.Errorf("the citizen's page got %+v, want the reply", ev)
		}
		c := w.conv(t, friday.ConversationID)
		if c.ArrivedClosedAt == nil || c.FirstResponseAt != nil || c.TeamID != w.team.ID || c.Language != "ar" || c.LanguageSource != store.LanguageChosen {
			t.Errorf("conversation %+v: want queued as arrived while closed, in the team, in Arabic (chosen)", c)
		}

		// One reply per closed period: more messages that night and on
		// Saturday get none.
		w.clock.add(30 * time.Minute)
		w.write(t, "fatima", "ar", "هل يمكنكم مساعدتي؟")
		w.clock.t = romeTime(2026, time.March, 7, 10, 0)
		w.write(t, "fatima", "ar", "شكرا")
		if n := len(autoReplies(w.messages(t, friday.ConversationID))); n != 1 {
			t.Errorf("%d automatic replies after three messages in one closed period, want 1", n)
		}
		saturday := w.write(t, "giulia", "it", "Buongiorno, mi serve un appuntamento per l'ISEE")
		if rs := autoReplies(w.messages(t, saturday.ConversationID)); len(rs) != 1 || !strings.Contains(rs[0].Body, "lunedì alle 9:30") {
			t.Errorf("the Italian citizen's replies: %v, want one naming lunedì alle 9:30", rs)
		}

		// Monday 9:45, open: a new conversation gets no reply and does
		// not join the queue.
		w.clock.t = romeTime(2026, time.March, 9, 9, 45)
		monday := w.write(t, "omar", "it", "Buongiorno, vorrei informazioni")
		if n := len(autoReplies(w.messages(t, monday.ConversationID))); n != 0 {
			t.Errorf("%d automatic replies while open", n)
		}
		queue, _, err := w.d.Conversations(ctx, admin, store.ConversationFilter{ArrivedClosed: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(queue) != 2 || queue[0].ID != friday.ConversationID || queue[1].ID != saturday.ConversationID {
			t.Fatalf("queue %v, want Friday's then Saturday's", ids(queue))
		}
		counts, err := w.d.CountConversations(ctx, admin, store.ConversationFilter{ArrivedClosed: true})
		if err != nil || counts[model.StatusOpen] != 2 {
			t.Errorf("queue counts %v, %v", counts, err)
		}

		// Karim comes in with room for one chat: he gets Friday's, the
		// first in line, though he could take the others too.
		w.karim.MaxChats = 1
		if err := w.s.UpdateUser(ctx, w.karim); err != nil {
			t.Fatal(err)
		}
		karim := w.online(t, w.karim)
		if n, err := w.d.AssignWaiting(ctx, w.org.ID); err != nil || n != 1 {
			t.Fatalf("assigned %d, %v; want 1", n, err)
		}
		if c := w.conv(t, friday.ConversationID); c.AssigneeID != w.karim.ID || !c.AutoAssigned {
			t.Errorf("Friday's conversation: assignee %d, want Karim (%d) by routing", c.AssigneeID, w.karim.ID)
		}

		// Once answered, it leaves the queue.
		if err := w.d.Post(ctx, w.actor(t, w.karim), friday.ConversationID, &model.Message{Direction: model.DirectionOutbound, Body: "مرحبا فاطمة"}); err != nil {
			t.Fatal(err)
		}
		queue, _, err = w.d.Conversations(ctx, admin, store.ConversationFilter{ArrivedClosed: true})
		if err != nil || len(queue) != 1 || queue[0].ID != saturday.ConversationID {
			t.Errorf("queue after the answer: %v, %v", ids(queue), err)
		}

		// Monday evening is another closed period: another reply, once
		// Karim has gone home (while he is online, he answers himself).
		w.clock.t = romeTime(2026, time.March, 9, 18, 30)
		w.write(t, "fatima", "ar", "شكرا مرة أخرى")
		if n := len(autoReplies(w.messages(t, friday.ConversationID))); n != 1 {
			t.Errorf("%d automatic replies while Karim is online, want still 1", n)
		}
		karim.Leave()
		w.clock.t = romeTime(2026, time.March, 9, 19, 0)
		w.write(t, "fatima", "ar", "شكرا جزيلا")
		if n := len(autoReplies(w.messages(t, friday.ConversationID))); n != 2 {
			t.Errorf("%d automatic replies after a second closed period, want 2", n)
		}
	})
}

func ids(cs []*model.Conversation) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestAutoReplyOff(t *testing.T) {
	w := newSportello(t, store.SQLite, romeTime(2026, time.March, 7, 11, 0))
	off := false
	if err := w.d.SetOutOfHours(context.Background(), w.actor(t, w.coord), desk.OutOfHours{AutoReply: &off}); err != nil {
		t.Fatal(err)
	}
	res := w.write(t, "v1", "it", "Buongiorno")
	if n := len(autoReplies(w.messages(t, res.ConversationID))); n != 0 {
		t.Errorf("%d automatic replies with the reply off", n)
	}
	if c := w.conv(t, res.ConversationID); c.ArrivedClosedAt == nil {
		t.Error("not in the arrived-while-closed queue")
	}
}

func TestArabicGoesToTheMediator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSportello(t, s.Engine(), romeTime(2026, time.March, 10, 10, 0)) // Tuesday, open
		w.online(t, w.chiara)
		karim := w.online(t, w.karim)
		sub := w.hub.Subscribe(realtime.OrgTopic(w.org.ID))
		defer sub.Close()

		ar := w.write(t, "youssef", "ar", "مرحبا، عندي سؤال عن عقد العمل")
		if c := w.conv(t, ar.ConversationID); c.AssigneeID != w.karim.ID || c.TeamID != w.team.ID || c.NeedsMediator != "" {
			t.Errorf("Arabic conversation: team %d, assignee %d, mediator %q; want the team, Karim", c.TeamID, c.AssigneeID, c.NeedsMediator)
		}
		it := w.write(t, "maria", "it", "Buongiorno, ho una domanda sulla bolletta")
		if c := w.conv(t, it.ConversationID); c.AssigneeID != w.chiara.ID {
			t.Errorf("Italian conversation: assignee %d, want Chiara (the least loaded online)", c.AssigneeID)
		}
		events := messagesOf(t, w, ar.ConversationID, model.DirectionEvent)
		if len(events) != 2 || events[0].Body != "team:"+itoa(w.team.ID) || events[1].Body != "assignee:"+itoa(w.karim.ID) || events[1].AuthorUserID != 0 {
			t.Errorf("timeline events %v, want the team then Karim, by the system", bodies(events))
		}

		// Karim away: the next Arabic conversation waits, flagged, and
		// the consoles hear that a mediator for Arabic is needed.
		karim.SetAway(true)
		drain(sub)
		ar2 := w.write(t, "ahmed", "ar", "السلام عليكم")
		c := w.conv(t, ar2.ConversationID)
		if c.AssigneeID != 0 || c.NeedsMediator != "ar" {
			t.Errorf("with Karim away: assignee %d, needs mediator %q; want nobody, ar", c.AssigneeID, c.NeedsMediator)
		}
		if ev := waitFor(t, sub, "mediator"); ev.ConversationID != c.ID || !strings.Contains(string(ev.Data), `"language":"ar"`) {
			t.Errorf("mediator event %+v", ev)
		}
		// Back online: the waiting conversation goes to him and the flag
		// is gone.
		karim.SetAway(false)
		if n, err := w.d.AssignWaiting(ctx, w.org.ID); err != nil || n != 1 {
			t.Fatalf("assigned %d, %v", n, err)
		}
		if c := w.conv(t, ar2.ConversationID); c.AssigneeID != w.karim.ID || c.NeedsMediator != "" {
			t.Errorf("after Karim is back: assignee %d, mediator %q", c.AssigneeID, c.NeedsMediator)
		}

		// A manual assignment always wins: the coordinator gives Karim's
		// first one to Luca; routing leaves it with him, and when Karim
		// goes offline only the chat routing gave him moves.
		admin := w.actor(t, w.coord)
		luca := w.luca.ID
		if _, err := w.d.Update(ctx, admin, ar.ConversationID, store.ConversationPatch{AssigneeID: &luca}); err != nil {
			t.Fatal(err)
		}
		if c := w.conv(t, ar.ConversationID); c.AutoAssigned {
			t.Error("a manual assignment is marked as routing's")
		}
		lucaTab := w.online(t, w.luca)
		_ = lucaTab
		karim.Leave()
		w.clock.add(3 * time.Minute)
		moved, err := w.d.ReassignOffline(ctx, 2*time.Minute)
		if err != nil || moved != 1 {
			t.Fatalf("moved %d, %v; want Karim's one routed chat", moved, err)
		}
		if c := w.conv(t, ar.ConversationID); c.AssigneeID != w.luca.ID {
			t.Errorf("the manually assigned chat went to %d", c.AssigneeID)
		}
		// Nobody online speaks Arabic: it goes back to the queue, flagged.
		if c := w.conv(t, ar2.ConversationID); c.AssigneeID != 0 || c.NeedsMediator != "ar" {
			t.Errorf("Karim's routed chat: assignee %d, mediator %q; want back in the queue, flagged", c.AssigneeID, c.NeedsMediator)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func messagesOf(t *testing.T, w *sportello, id int64, dir model.Direction) []*model.Message {
	t.Helper()
	var out []*model.Message
	for _, m := range w.messages(t, id) {
		if m.Direction == dir {
			out = append(out, m)
		}
	}
	return out
}

func bodies(ms []*model.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Body)
	}
	return out
}

func drain(sub *realtime.Sub) {
	for {
		select {
		case <-sub.C:
		default:
			return
		}
	}
}

func waitFor(t *testing.T, sub *realtime.Sub, typ string) realtime.Event {
	t.Helper()
	for {
		ev := next(t, sub)
		if ev.Type == typ {
			return ev
		}
	}
}

func TestSLAOverAWeekend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Friday 27 March 2026, 17:00; clocks go forward on Sunday 29.
		w := newSportello(t, s.Engine(), romeTime(2026, time.March, 27, 17, 0))
		admin := w.actor(t, w.coord)
		policy := &store.SLAPolicy{TeamID: w.team.ID, Priority: store.AnyPriority, FirstResponse: 2 * time.Hour, Resolution: 16 * time.Hour}
		if err := w.d.SaveSLAPolicy(ctx, admin, policy); err != nil {
			t.Fatal(err)
		}
		res := w.write(t, "grace", "en", "Hello, I need help with my permit")
		c := w.conv(t, res.ConversationID)
		// One hour on Friday, one on Monday morning: due Monday 10:30 (in
		// summer time now); the warning at 80%, 96 minutes, on Monday 10:06.
		wantDue := romeTime(2026, time.March, 30, 10, 30)
		if c.FirstResponseDueAt == nil || !c.FirstResponseDueAt.Equal(wantDue) {
			t.Fatalf("first response due %v, want %v", c.FirstResponseDueAt, wantDue)
		}
		if c.FirstResponseWarnAt == nil || !c.FirstResponseWarnAt.Equal(romeTime(2026, time.March, 30, 10, 6)) {
			t.Errorf("warning at %v", c.FirstResponseWarnAt)
		}
		// 16 business hours: 1 on Friday, 8.5 on Monday, 6.5 on Tuesday.
		if want := romeTime(2026, time.March, 31, 16, 0); c.ResolutionDueAt == nil || !c.ResolutionDueAt.Equal(want) {
			t.Errorf("resolution due %v, want %v", c.ResolutionDueAt, want)
		}
		raw, _ := json.Marshal(c)
		if !strings.Contains(string(raw), `"first_response_due_at":"2026-03-30T08:30:00Z"`) || !strings.Contains(string(raw), `"resolution_due_at":`) {
			t.Errorf("JSON %s lacks the due times", raw)
		}

		sub := w.hub.Subscribe(realtime.OrgTopic(w.org.ID))
		defer sub.Close()
		check := func(at time.Time, want int) {
			t.Helper()
			n, err := w.d.CheckSLAs(ctx, w.org.ID, at)
			if err != nil || n != want {
				t.Errorf("CheckSLAs at %v: %d marks, %v; want %d", at, n, err, want)
			}
		}
		check(romeTime(2026, time.March, 28, 12, 0), 0) // Saturday: wall time passes, business time does not
		check(romeTime(2026, time.March, 30, 9, 59), 0)
		check(romeTime(2026, time.March, 30, 10, 10), 1) // the warning
		check(romeTime(2026, time.March, 30, 10, 10), 0) // once
		if ev := waitFor(t, sub, "sla"); !strings.Contains(string(ev.Data), "first_response_warning") {
			t.Errorf("sla event %s", ev.Data)
		}
		check(romeTime(2026, time.March, 30, 10, 31), 1) // the breach
		c = w.conv(t, res.ConversationID)
		if c.FirstResponseBreachedAt == nil {
			t.Error("breach not recorded")
		}
		events := bodies(messagesOf(t, w, c.ID, model.DirectionEvent))
		if got := strings.Join(events, ","); !strings.Contains(got, "sla:first_response_warning,sla:first_response_breached") {
			t.Errorf("timeline events %v", events)
		}
		// A higher priority under a stricter policy moves the due time.
		urgent := &store.SLAPolicy{TeamID: w.team.ID, Priority: model.PriorityUrgent, FirstResponse: 30 * time.Minute}
		if err := w.d.SaveSLAPolicy(ctx, admin, urgent); err != nil {
			t.Fatal(err)
		}
		pr := model.PriorityUrgent
		updated, err := w.d.Update(ctx, admin, c.ID, store.ConversationPatch{Priority: &pr})
		if err != nil {
			t.Fatal(err)
		}
		if want := romeTime(2026, time.March, 27, 17, 30); updated.FirstResponseDueAt == nil || !updated.FirstResponseDueAt.Equal(want) {
			t.Errorf("urgent: due %v, want %v", updated.FirstResponseDueAt, want)
		}
	})
}

// TestSLAMarksOnceAcrossInstances runs two desks on one database, as two
// instances would, checking at the same time: each mark is made once.
func TestSLAMarksOnceAcrossInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSportello(t, s.Engine(), romeTime(2026, time.March, 10, 10, 0))
		other, err := desk.New(w.s, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{PasswordParams: auth.TestPasswordParams(), Now: w.clock.now})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.d.SaveSLAPolicy(ctx, w.actor(t, w.coord), &store.SLAPolicy{Priority: store.AnyPriority, FirstResponse: 10 * time.Minute}); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"a", "b", "c", "d", "e"} {
			w.write(t, v, "it", "Buongiorno, una domanda")
		}
		at := romeTime(2026, time.March, 10, 11, 0)
		var total atomic.Int64
		var wg sync.WaitGroup
		for _, d := range []*desk.Service{w.d, other, w.d, other} {
			wg.Go(func() {
				n, err := d.CheckSLAs(ctx, w.org.ID, at)
				if err != nil {
					t.Error(err)
				}
				total.Add(int64(n))
			})
		}
		wg.Wait()
		// Five conversations: a warning and a breach each, both due.
		if got := total.Load(); got != 10 {
			t.Errorf("%d marks made, want 10", got)
		}
		events := 0
		for id := int64(1); id <= 5; id++ {
			for _, m := range messagesOf(t, w, id, model.DirectionEvent) {
				if strings.HasPrefix(m.Body, "sla:") {
					events++
				}
			}
		}
		if events != 10 {
			t.Errorf("%d SLA events in the timelines, want 10", events)
		}
	})
}

func TestLanguageDetectedAndCorrected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSportello(t, s.Engine(), romeTime(2026, time.March, 10, 10, 0))
		sms := func(body string) int64 {
			t.Helper()
			res, err := w.d.Receive(ctx, store.Inbound{OrgID: w.org.ID, ChannelID: w.sms.ID, Channel: model.ChannelSMS,
				From: model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			return res.ConversationID
		}
		id := sms("Bonjour, j'ai besoin d'aide pour mon titre de séjour")
		c := w.conv(t, id)
		if c.Language != "fr" || c.LanguageSource != store.LanguageDetected {
			t.Fatalf("language %q (%s), want fr detected", c.Language, c.LanguageSource)
		}
		ct, err := w.s.Contact(ctx, w.org.ID, c.ContactID)
		if err != nil || ct.Language != "fr" {
			t.Errorf("contact language %q, %v; want fr remembered", ct.Language, err)
		}
		// The operator knows better: Wolof. The contact remembers it, and
		// a later guess does not undo it.
		wo := "wo"
		if _, err := w.d.Update(ctx, w.actor(t, w.chiara), id, store.ConversationPatch{Language: &wo}); err != nil {
			t.Fatal(err)
		}
		if ct, _ := w.s.Contact(ctx, w.org.ID, c.ContactID); ct.Language != "wo" {
			t.Errorf("contact language %q after the correction, want wo", ct.Language)
		}
		closed := model.StatusClosed
		if _, err := w.d.Update(ctx, w.actor(t, w.coord), id, store.ConversationPatch{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		id2 := sms("Bonjour, c'est encore moi, merci pour votre aide")
		if c := w.conv(t, id2); c.Language != "wo" {
			t.Errorf("next conversation in %q, want the contact's wo", c.Language)
		}
	})
}

// fakeLibre speaks LibreTranslate's protocol over a dictionary and counts
// the calls.
func fakeLibre(t *testing.T, dict map[string]string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			Q, Source, Target, Format string
			APIKey                    string `json:"api_key"`
		}
		if r.URL.Path != "/translate" || json.NewDecoder(r.Body).Decode(&req) != nil || req.APIKey != "secret" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "bad request"})
			return
		}
		out, ok := dict[req.Source+">"+req.Target+":"+req.Q]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "no translation for " + req.Q})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"translatedText": out})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestTranslationRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSportello(t, s.Engine(), romeTime(2026, time.March, 10, 10, 0))
		srv, calls := fakeLibre(t, map[string]string{
			"ar>it:أحتاج مساعدة في تجديد الإقامة": "Ho bisogno di aiuto per rinnovare il permesso",
			"it>ar:Certo, portate il passaporto.": "بالتأكيد، أحضروا جواز السفر.",
		})
		admin := w.actor(t, w.coord)
		if err := w.d.SetTranslationSettings(ctx, admin, desk.TranslationSettings{Enabled: true, URL: srv.URL, APIKey: "secret"}); err != nil {
			t.Fatal(err)
		}
		res := w.write(t, "fatima", "ar", "أحتاج مساعدة في تجديد الإقامة")
		chiara := w.actor(t, w.chiara) // reads Italian, no Arabic
		conv := w.conv(t, res.ConversationID)
		if !desk.NeedsTranslation(chiara, conv, "it") || desk.NeedsTranslation(w.actor(t, w.karim), conv, "it") {
			t.Error("NeedsTranslation: Chiara needs it, Karim reads Arabic")
		}
		read := func() []*model.Message {
			t.Helper()
			msgs, err := w.d.Messages(ctx, chiara, conv.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.d.TranslateMessages(ctx, chiara, conv.ID, msgs, "it"); err != nil {
				t.Fatal(err)
			}
			return msgs
		}
		msgs := read()
		if tr := msgs[0].Translation; tr == nil || tr.Body != "Ho bisogno di aiuto per rinnovare il permesso" || msgs[0].Body != "أحتاج مساعدة في تجديد الإقامة" {
			t.Fatalf("inbound: %q translated %+v", msgs[0].Body, tr)
		}
		read()
		if calls.Load() != 1 {
			t.Errorf("%d calls to the service, want 1: the translation is kept", calls.Load())
		}

		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Certo, portate il passaporto."}
		if err := w.d.PostTranslated(ctx, chiara, conv.ID, reply, "it"); err != nil {
			t.Fatal(err)
		}
		stored := w.messages(t, conv.ID)
		last := stored[len(stored)-1]
		if last.Body != "بالتأكيد، أحضروا جواز السفر." || last.Original == nil || last.Original.Language != "it" || last.Original.Body != "Certo, portate il passaporto." {
			t.Errorf("the reply as stored: %q, original %+v", last.Body, last.Original)
		}
		msgs = read()
		if tr := msgs[len(msgs)-1].Translation; tr == nil || tr.Body != "Certo, portate il passaporto." {
			t.Errorf("Chiara reads her reply as %+v", tr)
		}

		// Without the service: a clear refusal, nothing sent.
		if err := w.d.SetTranslationSettings(ctx, admin, desk.TranslationSettings{Enabled: false, URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
		err := w.d.PostTranslated(ctx, chiara, conv.ID, &model.Message{Direction: model.DirectionOutbound, Body: "Ciao"}, "it")
		if model.ErrorCode(err) != model.CodeConflict {
			t.Errorf("translated reply with translation off: %v", err)
		}
	})
}

func TestHoursAtPrefersTheMostSpecificCalendar(t *testing.T) {
	ctx := context.Background()
	w := newSportello(t, store.SQLite, romeTime(2026, time.March, 10, 10, 0))
	admin := w.actor(t, w.coord)
	evening := []hours.Shift{{Start: "18:00", End: "21:00"}}
	if err := w.d.SetCalendar(ctx, admin, store.CalendarRef{TeamID: w.team.ID}, hours.Calendar{Weekly: hours.Weekly{Tue: evening}}); err != nil {
		t.Fatal(err)
	}
	if err := w.d.SetCalendar(ctx, admin, store.CalendarRef{ChannelID: w.sms.ID},
		hours.Calendar{Weekly: hours.Weekly{Tue: []hours.Shift{{Start: "08:00", End: "09:00"}}}}); err != nil {
		t.Fatal(err)
	}
	at := romeTime(2026, time.March, 10, 19, 0) // Tuesday evening
	for _, tt := range []struct {
		team, channel int64
		open          bool
		next          time.Time
	}{
		{0, 0, false, romeTime(2026, time.March, 11, 9, 30)},
		{w.team.ID, 0, true, at},
		{w.team.ID, w.sms.ID, false, romeTime(2026, time.March, 17, 8, 0)},
	} {
		st, err := w.d.HoursAt(ctx, w.org.ID, tt.team, tt.channel, at)
		if err != nil || st.Open != tt.open || st.NextOpen == nil || !st.NextOpen.Equal(tt.next) {
			t.Errorf("team %d channel %d: %+v, %v; want open %v, next %v", tt.team, tt.channel, st, err, tt.open, tt.next)
		}
	}
	bad := hours.Calendar{TimeZone: "Europe/Atlantis"}
	if err := w.d.SetCalendar(ctx, admin, store.CalendarRef{}, bad); model.ErrorCode(err) != model.CodeInvalid {
		t.Errorf("unknown zone: %v", err)
	}
	overlap := hours.Calendar{Weekly: hours.Weekly{Mon: []hours.Shift{{Start: "09:00", End: "13:00"}, {Start: "12:00", End: "14:00"}}}}
	if e, ok := model.AsError(w.d.SetCalendar(ctx, admin, store.CalendarRef{}, overlap)); !ok || e.Field != "weekly.mon[1]" {
		t.Errorf("overlapping shifts: %v", e)
	}
	if err := w.d.SetCalendar(ctx, w.actor(t, w.chiara), store.CalendarRef{}, hours.Calendar{}); !errors.Is(err, desk.Forbidden()) {
		t.Errorf("an operator set the hours: %v", err)
	}
}

// TestOutOfHoursAcrossTheClockChange: the weekend clocks go back (Sunday
// 25 October 2026), the reply still names Monday 9:30 on the wall clock,
// and an SLA counts the business hours only.
func TestOutOfHoursAcrossTheClockChange(t *testing.T) {
	ctx := context.Background()
	w := newSportello(t, store.SQLite, romeTime(2026, time.October, 23, 18, 5))
	if err := w.d.SaveSLAPolicy(ctx, w.actor(t, w.coord), &store.SLAPolicy{Priority: store.AnyPriority, FirstResponse: 30 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	res := w.write(t, "v1", "it", "Buonasera, domanda sulla pensione")
	rs := autoReplies(w.messages(t, res.ConversationID))
	if len(rs) != 1 || !strings.Contains(rs[0].Body, "lunedì alle 9:30") {
		t.Fatalf("replies %v, want one naming lunedì alle 9:30", bodies(rs))
	}
	st, err := w.d.HoursAt(ctx, w.org.ID, 0, 0, romeTime(2026, time.October, 23, 18, 5))
	if err != nil || st.Open || st.NextOpen == nil || st.NextOpen.Format(time.RFC3339) != "2026-10-26T09:30:00+01:00" {
		t.Errorf("hours at Friday evening: %+v, %v", st, err)
	}
	// Arrived closed: the 30 business minutes start on Monday at 9:30.
	if c := w.conv(t, res.ConversationID); c.FirstResponseDueAt == nil || !c.FirstResponseDueAt.Equal(romeTime(2026, time.October, 26, 10, 0)) {
		t.Errorf("first response due %v, want Monday 10:00", c.FirstResponseDueAt)
	}
}
