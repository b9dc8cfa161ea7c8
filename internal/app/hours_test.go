package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func TestHoursCheck(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			if _, stderr, err := run(t, nil, "", "org", "add", "--database", db, "--slug", "caritas", "--name", "Caritas"); err != nil {
				t.Fatalf("org add: %v %s", err, stderr)
			}
			ctx := context.Background()
			s, err := store.Open(ctx, db, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			org, err := s.OrganizationBySlug(ctx, "caritas")
			if err != nil {
				t.Fatal(err)
			}
			day := `[{"start": "09:30", "end": "18:00"}]`
			if err := s.SetOrganizationSettings(ctx, org.ID, `{"hours": {"time_zone": "Europe/Rome", "weekly": {"mon": `+day+`, "fri": `+day+`}}}`); err != nil {
				t.Fatal(err)
			}
			team := &model.Team{OrgID: org.ID, Slug: "sera", Name: "Sera"}
			if err := s.CreateTeam(ctx, team); err != nil {
				t.Fatal(err)
			}
			if err := s.SetCalendar(ctx, org.ID, store.CalendarRef{TeamID: team.ID}, `{"time_zone": "Europe/Rome", "weekly": {"fri": [{"start": "18:00", "end": "21:00"}]}}`); err != nil {
				t.Fatal(err)
			}
			s.Close()

			for _, tt := range []struct {
				args []string
				want string
			}{
				{[]string{"--at", "2026-03-06T18:05:00+01:00"}, `{"open":false,"next_open":"2026-03-09T09:30:00+01:00"}`},
				{[]string{"--at", "2026-03-06T10:00:00Z"}, `{"open":true,"next_open":"2026-03-06T11:00:00+01:00"}`},
				{[]string{"--team", "sera", "--at", "2026-03-06T18:05:00+01:00"}, `{"open":true,"next_open":"2026-03-06T18:05:00+01:00"}`},
				{[]string{"--team", "sera", "--channel", "web", "--at", "2026-03-06T18:05:00+01:00"}, `{"open":true,"next_open":"2026-03-06T18:05:00+01:00"}`},
			} {
				args := append([]string{"hours", "check", "--database", db, "--org", "caritas"}, tt.args...)
				if tt.args[0] == "--team" && len(tt.args) > 2 && tt.args[2] == "--channel" {
					// The web channel exists once the organisation has one.
					s, _ := store.Open(ctx, db, store.Options{})
					if _, err := s.DefaultChannel(ctx, org.ID, model.ChannelWeb); err != nil {
						t.Fatal(err)
					}
					s.Close()
				}
				out, stderr, err := run(t, nil, "", args...)
				if err != nil || strings.TrimSpace(out) != tt.want {
					t.Errorf("%v: %q (%v %s), want %s", tt.args, out, err, stderr, tt.want)
				}
			}
			for _, bad := range [][]string{
				{"--at", "Friday evening"},
				{"--at", "2026-03-06T18:05:00+01:00", "--team", "nessuna"},
				{"--at", "2026-03-06T18:05:00+01:00", "--channel", "fax"},
				{},
			} {
				args := append([]string{"hours", "check", "--database", db, "--org", "caritas"}, bad...)
				if _, _, err := run(t, nil, "", args...); err == nil {
					t.Errorf("%v: no error", bad)
				}
			}
		})
	}
}
