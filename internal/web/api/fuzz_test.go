package api_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web/api"
)

// FuzzConversationFilter feeds raw query strings to the filter parser: it
// never panics, refuses with a 400 naming what is wrong, and what it
// accepts is safe to hand to the store on either engine.
func FuzzConversationFilter(f *testing.F) {
	for _, seed := range []string{
		"", "status=open", "team=none&assignee=me", "assignee=12&team=3", "channel=whatsapp&language=fr-CA",
		"tag=Casa&contact=7", "q=Rossi&limit=200&cursor=MTcwMDAwMDAwMDAwMDo0Mg", "limit=0", "limit=201", "q=%00",
		"q=%FF", "status=open&status=closed", "foo=bar", "%zz", "lang=ar&q=مرحبا", "assignee=-1", "team=+1",
		"limit=+5", "contact=99999999999999999999", "cursor=!!", "q=" + strings.Repeat("x", 300),
	} {
		f.Add(seed)
	}
	const me = 42
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := api.ParseConversationFilter(raw, me)
		if err != nil {
			e, ok := model.AsError(err)
			if !ok || e.Code != model.CodeInvalid || e.Key == "" || e.Message == "" {
				t.Fatalf("%q: error %#v is not a clear 400", raw, err)
			}
			return
		}
		if got.Limit < 1 || got.Limit > api.MaxLimit {
			t.Errorf("%q: limit %d", raw, got.Limit)
		}
		if got.Status != "" && !model.ValidStatus(got.Status) {
			t.Errorf("%q: status %q", raw, got.Status)
		}
		if got.Channel != "" && !model.ValidChannelKind(got.Channel) {
			t.Errorf("%q: channel %q", raw, got.Channel)
		}
		if got.Language != "" && !model.ValidLanguage(got.Language) {
			t.Errorf("%q: language %q", raw, got.Language)
		}
		if got.Tag != "" && !model.ValidTag(got.Tag) {
			t.Errorf("%q: tag %q", raw, got.Tag)
		}
		for _, id := range []int64{got.TeamID, got.AssigneeID} {
			if id < 0 && id != store.Unassigned {
				t.Errorf("%q: id %d", raw, id)
			}
		}
		if got.ContactID < 0 {
			t.Errorf("%q: contact %d", raw, got.ContactID)
		}
		for _, s := range []string{got.Q, got.Cursor, got.Language, got.Tag} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Errorf("%q: %q would not survive PostgreSQL", raw, s)
			}
		}
		if utf8.RuneCountInString(got.Q) > 200 || len(got.Cursor) > 128 {
			t.Errorf("%q: q or cursor too long", raw)
		}
		if v := got.Visibility; v.UserID != 0 || v.AssignedOnly || v.TeamScoped || v.TeamIDs != nil || v.Restricted {
			t.Errorf("%q: the parser set visibility %+v; only the desk may", raw, got.Visibility)
		}
	})
}
