package demo_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/demo"
	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

const password = "demo-sportello"

func options(now time.Time) demo.Options {
	return demo.Options{Password: password, PasswordParams: auth.TestPasswordParams(), Now: now}
}

func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now()
		res, err := demo.Load(ctx, s, options(now))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		checkDemo(t, s, res, now)

		_, err = demo.Load(ctx, s, options(now))
		if !errors.Is(err, demo.ErrExists) || model.ErrorCode(err) != model.CodeConflict {
			t.Fatalf("second Load: got %v, want ErrExists (conflict)", err)
		}
	})
}

// TestLoadAnyDay stages the demo around every day of a week, early and
// late, so that the weekday arithmetic and the clamping near Now are
// exercised.
func TestLoadAnyDay(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(rome)
	for d := range 7 {
		for _, hh := range []int{7, 23} {
			now := time.Date(today.Year(), today.Month(), today.Day()-d-1, hh, 0, 0, 0, rome)
			t.Run(now.Format("Mon-15h"), func(t *testing.T) {
				s := storetest.Open(t, store.SQLite)
				res, err := demo.Load(context.Background(), s, options(now))
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				checkDemo(t, s, res, now)
			})
		}
	}
}

func checkDemo(t *testing.T, s *store.Store, res *demo.Result, now time.Time) {
	t.Helper()
	ctx := context.Background()
	org, err := s.OrganizationBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if res.Org == nil || res.Org.ID != org.ID || org.TimeZone != "Europe/Rome" || org.Language != "it" {
		t.Fatalf("organisation: got %+v, result %+v", org, res.Org)
	}
	if res.Password != password {
		t.Errorf("Result.Password = %q, want %q", res.Password, password)
	}

	// Users: every one can log in; the admin is the one reported.
	users, err := s.Users(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*model.User{}
	roles := map[model.Role]int{}
	for _, u := range users {
		byID[u.ID] = u
		roles[u.Role]++
		ok, _, err := auth.VerifyPassword(password, u.PasswordHash)
		if err != nil || !ok {
			t.Errorf("user %s cannot log in: ok=%v err=%v", u.Email, ok, err)
		}
	}
	admin, err := s.UserByEmail(ctx, org.ID, res.AdminEmail)
	if err != nil || admin.Role != model.RoleAdmin || res.AdminEmail != "admin@demo.sportello.local" {
		t.Errorf("admin %q: %v %+v", res.AdminEmail, err, admin)
	}
	for _, r := range model.Roles {
		if roles[r] == 0 {
			t.Errorf("no user with role %s", r)
		}
	}

	teams, err := s.Teams(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if len(tm.MemberIDs) == 0 {
			t.Errorf("team %s has no members", tm.Slug)
		}
	}
	chans, err := s.Channels(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	contacts, next, err := s.Contacts(ctx, org.ID, store.ContactFilter{Limit: store.MaxLimit})
	if err != nil || next != "" {
		t.Fatalf("contacts: %v (next %q)", err, next)
	}
	consents := 0
	for _, c := range contacts {
		cs, err := s.Consents(ctx, org.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range cs {
			if x.TextVersion != demo.ConsentText {
				t.Errorf("consent of %s has text %q", c.DisplayName, x.TextVersion)
			}
		}
		consents += len(cs)
	}
	convs, next, err := s.Conversations(ctx, org.ID, store.ConversationFilter{Limit: store.MaxLimit})
	if err != nil || next != "" {
		t.Fatalf("conversations: %v (next %q)", err, next)
	}

	counts := []struct {
		what      string
		got, want int
	}{
		{"users", len(users), res.Users},
		{"teams", len(teams), res.Teams},
		{"channels", len(chans), res.Channels},
		{"contacts", len(contacts), res.Contacts},
		{"consents", consents, res.Consents},
		{"conversations", len(convs), res.Conversations},
	}
	for _, c := range counts {
		if c.got != c.want || c.got == 0 {
			t.Errorf("%s: %d in the database, %d in the result", c.what, c.got, c.want)
		}
	}
	checkStarterKB(t, s, org.ID, res, now)
	if len(teams) != 4 || len(chans) != 5 || len(contacts) < 20 || len(convs) < 25 {
		t.Errorf("too small: %d teams, %d channels, %d contacts, %d conversations", len(teams), len(chans), len(contacts), len(convs))
	}

	sched := schedule(t, s, org.ID)
	langs := map[string]int{}
	statuses := map[model.Status]int{}
	restricted, unassigned, afterHours, messages := 0, 0, 0, 0
	for _, c := range convs {
		langs[c.Language]++
		statuses[c.Status]++
		if c.Restricted {
			restricted++
		}
		if c.AssigneeID == 0 {
			unassigned++
		}
		if c.Language == "ar" {
			u := byID[c.AssigneeID]
			if u == nil || !u.Speaks("ar") {
				t.Errorf("Arabic conversation %d is assigned to %+v, who does not speak Arabic", c.ID, u)
			}
		}
		msgs, err := s.Messages(ctx, org.ID, c.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, m := range msgs {
			switch m.Direction {
			case model.DirectionEvent:
				continue
			case model.DirectionInbound:
				if !m.CreatedAt.Before(now) || m.CreatedAt.Before(now.Add(-11*24*time.Hour)) {
					t.Errorf("conversation %d: inbound message at %v, not in the ten days before %v", c.ID, m.CreatedAt, now)
				}
				if i == 0 && !sched.Open(m.CreatedAt) {
					afterHours++
				}
			case model.DirectionOutbound:
				// A reply is written in the citizen's language.
				if u := byID[m.AuthorUserID]; u == nil || !u.Speaks(c.Language) {
					t.Errorf("conversation %d (%s): reply by %+v", c.ID, c.Language, u)
				}
				if m.DeliveryStatus == model.DeliveryQueued {
					t.Errorf("conversation %d: a demo reply is queued for sending", c.ID)
				}
			}
			n++
		}
		if n < 2 || n > 8 {
			t.Errorf("conversation %d has %d messages, want 2 to 8", c.ID, n)
		}
		messages += n
	}
	if messages != res.Messages {
		t.Errorf("messages: %d in the database, %d in the result", messages, res.Messages)
	}
	for _, l := range []string{"it", "en", "fr", "ar", "pcm"} {
		if langs[l] == 0 {
			t.Errorf("no conversation in %s (got %v)", l, langs)
		}
	}
	for _, st := range model.Statuses {
		if statuses[st] == 0 {
			t.Errorf("no conversation %s (got %v)", st, statuses)
		}
	}
	if restricted == 0 {
		t.Error("no restricted conversation")
	}
	if unassigned == 0 {
		t.Error("no unassigned conversation")
	}
	if afterHours == 0 {
		t.Error("no conversation arrived after hours")
	}
}

// schedule reads the opening hours back the way the hours package will.
func schedule(t *testing.T, s *store.Store, orgID int64) *hours.Schedule {
	t.Helper()
	doc, err := s.OrganizationSettings(context.Background(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	var settings struct {
		Hours hours.Calendar `json:"hours"`
	}
	if err := json.Unmarshal([]byte(doc), &settings); err != nil {
		t.Fatalf("settings %s: %v", doc, err)
	}
	if !settings.Hours.UsesNationalHolidays() {
		t.Error("national holidays are off")
	}
	sched, err := hours.Compile(settings.Hours)
	if err != nil {
		t.Fatalf("compile %s: %v", doc, err)
	}
	rome := sched.Location()
	for _, c := range []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 3, 2, 9, 29, 0, 0, rome), false}, // Monday
		{time.Date(2026, 3, 2, 9, 30, 0, 0, rome), true},
		{time.Date(2026, 3, 6, 17, 59, 0, 0, rome), true}, // Friday
		{time.Date(2026, 3, 6, 18, 0, 0, 0, rome), false},
		{time.Date(2026, 3, 7, 11, 0, 0, 0, rome), false},  // Saturday
		{time.Date(2026, 12, 8, 11, 0, 0, 0, rome), false}, // Immacolata, a Tuesday
	} {
		if got := sched.Open(c.at); got != c.open {
			t.Errorf("open at %v: got %v, want %v", c.at, got, c.open)
		}
	}
	return sched
}
