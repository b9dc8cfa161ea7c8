package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// cmdHours answers questions about opening hours:
//
//	sportello hours check --org SLUG [--team T] [--channel C] --at RFC3339
//
// prints {"open": bool, "next_open": RFC3339 or null} by the calendar that
// applies: the channel's, else the team's, else the organisation's. T is
// a team's slug or id; C a channel's id or kind (its first channel of
// that kind). next_open is --at itself when the desk is open then, null
// when it does not open within a year and a bit.
func cmdHours(ctx context.Context, e env) error {
	_, e, err := sub(e, "hours", "check")
	if err != nil {
		return err
	}
	fs, cfg := flags("hours check", e, false)
	org := fs.String("org", "", "organisation slug")
	team := fs.String("team", "", "team slug or id (optional)")
	channel := fs.String("channel", "", "channel id or kind, e.g. web or whatsapp (optional)")
	at := fs.String("at", "", "the instant to ask about, RFC 3339, e.g. 2026-03-06T18:05:00+01:00")
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "org", *org, "at", *at); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339, *at)
	if err != nil {
		return fmt.Errorf("--at: %q is not an RFC 3339 time such as 2026-03-06T18:05:00+01:00", *at)
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	teamID, err := findTeam(ctx, st, o.ID, *team)
	if err != nil {
		return err
	}
	channelID, err := findChannel(ctx, st, o.ID, *channel)
	if err != nil {
		return err
	}
	d, err := desk.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{})
	if err != nil {
		return err
	}
	status, err := d.HoursAt(ctx, o.ID, teamID, channelID, t)
	if err != nil {
		return describe(err)
	}
	out := struct {
		Open     bool    `json:"open"`
		NextOpen *string `json:"next_open"`
	}{Open: status.Open}
	if status.NextOpen != nil {
		s := status.NextOpen.Format(time.RFC3339)
		out.NextOpen = &s
	}
	return json.NewEncoder(e.stdout).Encode(out)
}

func findTeam(ctx context.Context, st *store.Store, orgID int64, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	teams, err := st.Teams(ctx, orgID)
	if err != nil {
		return 0, err
	}
	id, _ := strconv.ParseInt(ref, 10, 64)
	for _, t := range teams {
		if t.Slug == ref || t.ID == id {
			return t.ID, nil
		}
	}
	return 0, fmt.Errorf("--team: no team %q in this organisation", ref)
}

func findChannel(ctx context.Context, st *store.Store, orgID int64, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	chans, err := st.Channels(ctx, orgID)
	if err != nil {
		return 0, err
	}
	id, _ := strconv.ParseInt(ref, 10, 64)
	found := int64(0)
	for _, c := range chans {
		if c.ID == id {
			return c.ID, nil
		}
		if c.Kind == model.ChannelKind(ref) && (found == 0 || c.ID < found) {
			found = c.ID
		}
	}
	if found == 0 {
		return 0, fmt.Errorf("--channel: no channel %q in this organisation", ref)
	}
	return found, nil
}
