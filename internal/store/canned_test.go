package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func cannedTitles(list []*store.Canned) string {
	var out []string
	for _, c := range list {
		out = append(out, c.Title)
	}
	return strings.Join(out, "|")
}

func TestCannedResponsesCRUD(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, admin := newTenant(t, s, "a")
		team := &model.Team{OrgID: org.ID, Slug: "legale", Name: "Legale"}
		if err := s.CreateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
		c := &store.Canned{OrgID: org.ID, Title: "  Saluto  ", Body: "Buongiorno {{contact.name}}, sono {{operator.name}}.", Language: "IT", CreatedBy: admin.ID}
		if err := s.CreateCanned(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Title != "Saluto" || c.Language != "it" || c.CreatedAt.IsZero() {
			t.Errorf("created %+v: want an id, a trimmed title, a lower-case language and a time", c)
		}
		got, err := s.CannedResponse(ctx, org.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Body != c.Body || got.TeamID != 0 || got.CreatedBy != admin.ID || !got.CreatedAt.Equal(c.CreatedAt) {
			t.Errorf("read back %+v, want %+v", got, c)
		}

		clock.Advance(time.Minute)
		got.Title, got.TeamID, got.Language, got.Body = "Saluto legale", team.ID, "", "Salve."
		if err := s.UpdateCanned(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, err := s.CannedResponse(ctx, org.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Title != "Saluto legale" || again.TeamID != team.ID || again.Language != "" || again.Body != "Salve." || !again.UpdatedAt.After(again.CreatedAt) {
			t.Errorf("after update: %+v", again)
		}

		if err := s.DeleteCanned(ctx, org.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CannedResponse(ctx, org.ID, c.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("after delete: %v, want not found", err)
		}
		if err := s.DeleteCanned(ctx, org.ID, c.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("delete twice: %v, want not found", err)
		}
	})
}

func TestCannedResponsesValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		for _, tt := range []struct {
			name  string
			c     store.Canned
			field string
		}{
			{"no title", store.Canned{Title: "  ", Body: "x"}, "title"},
			{"long title", store.Canned{Title: strings.Repeat("t", store.CannedTitleMax+1), Body: "x"}, "title"},
			{"no body", store.Canned{Title: "t", Body: " \n "}, "body"},
			{"long body", store.Canned{Title: "t", Body: strings.Repeat("b", store.CannedBodyMax+1)}, "body"},
			{"bad language", store.Canned{Title: "t", Body: "x", Language: "italiano!"}, "language"},
			{"unknown team", store.Canned{Title: "t", Body: "x", TeamID: 999999}, "team_id"},
		} {
			c := tt.c
			c.OrgID = org.ID
			err := s.CreateCanned(ctx, &c)
			e, ok := model.AsError(err)
			if !ok || e.Code != model.CodeInvalid || e.Field != tt.field {
				t.Errorf("%s: got %v, want invalid %s", tt.name, err, tt.field)
			}
		}
		list, err := s.CannedResponses(ctx, org.ID, store.CannedFilter{})
		if err != nil || len(list) != 0 {
			t.Errorf("after failed creates: %d responses, %v", len(list), err)
		}
	})
}

func TestCannedResponsesFilterAndIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgA, _ := newTenant(t, s, "a")
		orgB, adminB := newTenant(t, s, "b")
		legal := &model.Team{OrgID: orgA.ID, Slug: "legale", Name: "Legale"}
		work := &model.Team{OrgID: orgA.ID, Slug: "lavoro", Name: "Lavoro"}
		teamB := &model.Team{OrgID: orgB.ID, Slug: "legale", Name: "Legale B"}
		for _, tm := range []*model.Team{legal, work, teamB} {
			if err := s.CreateTeam(ctx, tm); err != nil {
				t.Fatal(err)
			}
		}
		add := func(orgID, teamID int64, lang, title string) *store.Canned {
			t.Helper()
			c := &store.Canned{OrgID: orgID, TeamID: teamID, Language: lang, Title: title, Body: title + " body"}
			if err := s.CreateCanned(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		add(orgA.ID, 0, "", "Any language")
		add(orgA.ID, 0, "it", "Benvenuto")
		add(orgA.ID, 0, "ar", "Arabic welcome")
		add(orgA.ID, legal.ID, "it", "Appuntamento legale")
		add(orgA.ID, work.ID, "", "Contratto")
		other := add(orgB.ID, 0, "it", "Altro ente")

		for _, tt := range []struct {
			name string
			f    store.CannedFilter
			want string
		}{
			{"everything", store.CannedFilter{}, "Any language|Appuntamento legale|Arabic welcome|Benvenuto|Contratto"},
			{"organisation only", store.CannedFilter{TeamScoped: true}, "Any language|Arabic welcome|Benvenuto"},
			{"legal team", store.CannedFilter{TeamScoped: true, Teams: []int64{legal.ID}}, "Any language|Appuntamento legale|Arabic welcome|Benvenuto"},
			// Responses in the conversation's language come before those
			// for any language.
			{"legal team in Italian", store.CannedFilter{TeamScoped: true, Teams: []int64{legal.ID}, Language: "it"}, "Appuntamento legale|Benvenuto|Any language"},
			{"both teams in Arabic", store.CannedFilter{TeamScoped: true, Teams: []int64{legal.ID, work.ID}, Language: "ar"}, "Arabic welcome|Any language|Contratto"},
		} {
			list, err := s.CannedResponses(ctx, orgA.ID, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := cannedTitles(list); got != tt.want {
				t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
			}
		}

		// Another organisation's response is not found, not changed, not
		// deleted; another organisation's team or user cannot be used.
		if _, err := s.CannedResponse(ctx, orgA.ID, other.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("read across organisations: %v", err)
		}
		hijack := *other
		hijack.OrgID, hijack.Title = orgA.ID, "mine now"
		if err := s.UpdateCanned(ctx, &hijack); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("update across organisations: %v", err)
		}
		if err := s.DeleteCanned(ctx, orgA.ID, other.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("delete across organisations: %v", err)
		}
		if got, err := s.CannedResponse(ctx, orgB.ID, other.ID); err != nil || got.Title != "Altro ente" {
			t.Errorf("B's response after A's attempts: %v, %v", got, err)
		}
		if err := s.CreateCanned(ctx, &store.Canned{OrgID: orgA.ID, TeamID: teamB.ID, Title: "x", Body: "y"}); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("team of another organisation: %v, want invalid", err)
		}
		if err := s.CreateCanned(ctx, &store.Canned{OrgID: orgA.ID, CreatedBy: adminB.ID, Title: "x", Body: "y"}); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("author of another organisation: %v, want invalid", err)
		}
		listB, err := s.CannedResponses(ctx, orgB.ID, store.CannedFilter{})
		if err != nil || cannedTitles(listB) != "Altro ente" {
			t.Errorf("B lists %q, %v", cannedTitles(listB), err)
		}

		// Deleting a team deletes its responses, rather than opening them
		// to the whole organisation.
		if err := s.RawExecForTest(ctx, "DELETE FROM teams WHERE org_id = ? AND id = ?", orgA.ID, work.ID); err != nil {
			t.Fatal(err)
		}
		list, err := s.CannedResponses(ctx, orgA.ID, store.CannedFilter{})
		if err != nil || strings.Contains(cannedTitles(list), "Contratto") {
			t.Errorf("after deleting the team: %q, %v", cannedTitles(list), err)
		}
	})
}
