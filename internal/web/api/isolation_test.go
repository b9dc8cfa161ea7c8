package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/api"
)

// bodyFor is a valid body for each method that takes one, so that a
// request fails only because of whose id it names.
var bodyFor = map[string]string{
	"PATCH": `{"priority": 3, "tags": ["from-alpha"]}`,
	"POST":  `{"body": "written by alpha", "type": "note"}`,
}

// routeBody is a valid body of a route whose body differs from its
// method's in bodyFor; x holds ids of the caller's organisation.
func routeBody(method, path string, x isolationIDs) string {
	switch method + " " + path {
	case "POST /api/v1/users":
		return `{"email": "new@alpha.example", "name": "New person", "role": "operator"}`
	case "PATCH /api/v1/users/{id}":
		return `{"max_chats": 4}`
	case "POST /api/v1/teams":
		return `{"name": "New team"}`
	case "PATCH /api/v1/teams/{id}":
		return `{"name": "Renamed by alpha"}`
	case "POST /api/v1/tokens":
		return `{"name": "from alpha"}`
	case "POST /api/v1/contacts/{id}/merge":
		return fmt.Sprintf(`{"duplicate_id": %d}`, x.duplicate)
	case "POST /api/v1/routing/rules":
		return fmt.Sprintf(`{"name": "From alpha", "team_id": %d}`, x.team)
	case "PATCH /api/v1/routing/rules/{id}":
		return `{"name": "Renamed by alpha", "position": 1}`
	case "POST /api/v1/channels":
		return `{"kind": "api", "name": "Partner of alpha"}`
	case "PATCH /api/v1/channels/{id}":
		return `{"name": "Renamed by alpha"}`
	case "POST /api/v1/channels/{id}/messages":
		return `{"id": "app-1", "from": {"kind": "external", "value": "user-1"}, "text": "written by alpha's app"}`
	case "POST /api/v1/conversations/{id}/messages/{message}/retry", "POST /api/v1/conversations/{id}/transcript":
		return ""
	case "POST /api/v1/channels/{id}/templates":
		return `{"name": "from_alpha", "language": "it", "body": "Hello {{1}}"}`
	case "POST /api/v1/conversations/{id}/templates":
		return fmt.Sprintf(`{"template_id": %d, "params": ["alpha"]}`, x.template)
	case "POST /api/v1/kb/articles", "POST /api/v1/kb/categories":
		return `{"slug": "from-alpha"}`
	case "PATCH /api/v1/kb/articles/{id}":
		return `{"status": "published"}`
	case "PUT /api/v1/kb/articles/{id}/translations/{language}":
		return `{"title": "Scritto da alpha", "body": "Testo."}`
	case "POST /api/v1/directory/import":
		return `{"id": "o-alpha-new", "name": "Nuova", "description": "Da alpha", "website": "https://alpha.example"}`
	case "POST /api/v1/directory/services/{id}/verify":
		return `{}`
	case "POST /api/v1/conversations/{id}/service-card":
		return fmt.Sprintf(`{"service_id": "%d"}`, x.service)
	case "POST /api/v1/referrals":
		return fmt.Sprintf(`{"conversation_id": %d, "partner_email": "partner@alpha.example", "reason": "from alpha", "consent_given": true}`, x.conversation)
	case "POST /api/v1/referrals/{id}/status":
		return `{"status": "withdrawn"}`
	case "PUT /api/v1/screener/overlay":
		return `{"document": {"base": "it-benefici", "benefits": [` + aidJSON(x.aid) + `]}}`
	case "POST /api/v1/screener/overlay/check":
		return `{"document": {"benefits": [` + aidJSON("checked_by_alpha") + `]}, "answers": {"resident": true}, "date": "2026-03-01"}`
	case "POST /api/v1/screener/values":
		return `{"param": "naspi_max", "from": "2030-01-01", "value": 1700, "reference": "INPS, circolare di alpha"}`
	case "POST /api/v1/screener/aids":
		return `{"benefit": ` + aidJSON("added_by_alpha") + `}`
	case "POST /api/v1/screener/aids/check":
		return `{"replace": "` + x.aid + `", "benefit": ` + aidJSON(x.aid) + `, "answers": {"resident": false}}`
	case "PUT /api/v1/screener/aids/{aid}":
		return `{"benefit": ` + aidJSON(x.aid) + `}`
	}
	return bodyFor[method]
}

// aidJSON is a local aid of the screener with the given id.
func aidJSON(id string) string {
	return `{"id": "` + id + `", "name": {"it": "Aiuto ` + id + `"}, "legal": [{"reference": "Delibera 1/2026"}],
	 "conditions": [{"question": "resident", "op": "=", "value": true, "holds": {"it": "Residente."}, "fails": {"it": "Non residente."}}]}`
}

// isolationIDs are records of an organisation that only some routes need.
type isolationIDs struct {
	token        int64  // an API token nobody uses, to revoke
	duplicate    int64  // a second contact, to merge
	team         int64  // the organisation's team, for a routing rule
	rule         int64  // a routing rule
	channel      int64  // an API channel
	failed       int64  // a reply that failed, in the organisation's conversation
	file         int64  // a citizen's file in that conversation
	whatsApp     int64  // a WhatsApp channel
	template     int64  // an approved template of it
	waConv       int64  // a conversation on it
	article      int64  // a knowledge base article, published, not shared
	shared       int64  // a published article shared with the other organisations
	service      int64  // a service of the directory (its HSDS id is this number)
	referral     int64  // a referral the organisation sent
	aid          string // a local aid of its screener
	conversation int64
}

func (e *env) isolationIDs(o *org) isolationIDs {
	e.t.Helper()
	_, tok, err := e.d.CreateAPIToken(context.Background(), o.org.ID, o.vol.ID, 0, "spare")
	e.must(err)
	dup := e.inbound(o, "duplicate-"+o.org.Slug, "Duplicate "+o.org.Slug, "ciao", "")
	rule := &routing.Rule{Name: "Rule " + o.org.Slug, TeamID: o.team.ID}
	e.must(e.d.Store().CreateRoutingRule(context.Background(), o.org.ID, rule))
	ch := &model.Channel{OrgID: o.org.ID, Kind: model.ChannelAPI, Name: "App " + o.org.Slug, Active: true}
	e.must(e.d.Store().CreateChannel(context.Background(), ch))
	failed := &model.Message{Direction: model.DirectionOutbound, Body: "not delivered", DeliveryStatus: model.DeliveryFailed}
	e.must(e.d.Store().AddMessage(context.Background(), o.org.ID, o.conversation, failed))
	att, err := e.files.Put(context.Background(), o.org.ID, "permesso.pdf", "application/pdf", strings.NewReader("%PDF-1.4 "+o.org.Slug))
	e.must(err)
	withFile := &model.Message{Direction: model.DirectionNote, Body: "the document", Attachments: []model.Attachment{}}
	e.must(e.d.Store().AddMessage(context.Background(), o.org.ID, o.conversation, withFile))
	att.MessageID = withFile.ID
	e.must(e.d.Store().CreateAttachment(context.Background(), &att))
	ids := isolationIDs{token: tok.ID, duplicate: dup.ContactID, team: o.team.ID, rule: rule.ID, channel: ch.ID, failed: failed.ID, file: att.ID}
	ids.aid = "aid_" + strings.ReplaceAll(o.org.Slug, "-", "_")
	e.must(e.d.Store().SaveEligibilityOverlay(context.Background(), &store.EligibilityOverlay{OrgID: o.org.ID, Base: "it-benefici",
		Document: `{"benefits": [` + aidJSON(ids.aid) + `]}`}, 0))
	wa, err := e.d.AddChannel(context.Background(), o.org.ID, model.ChannelWhatsApp, "WhatsApp", channel.Settings{"phone_number_id": "1",
		"access_token": "t", "app_secret": "s", "verify_token": "v"})
	e.must(err)
	tpl := &store.Template{OrgID: o.org.ID, ChannelID: wa.ID, Name: "hello", Language: "it", Body: "Hello {{1}}"}
	e.must(e.d.Store().CreateTemplate(context.Background(), tpl))
	res, err := e.s.RecordInbound(context.Background(), store.Inbound{OrgID: o.org.ID, ChannelID: wa.ID, Channel: model.ChannelWhatsApp,
		From: model.Identity{Kind: model.IdentityPhone, Value: "+393330000001"}, Body: "ciao", ProviderMessageID: "wamid." + o.org.Slug})
	e.must(err)
	ids.whatsApp, ids.template, ids.waConv = wa.ID, tpl.ID, res.ConversationID
	art := &store.KBArticle{OrgID: o.org.ID, Slug: "spid", Status: "published"}
	e.must(e.d.Store().SaveKBArticle(context.Background(), art))
	e.must(e.d.Store().SaveKBTranslation(context.Background(), &store.KBTranslation{OrgID: o.org.ID, ArticleID: art.ID, Language: "it", Title: "SPID " + o.org.Slug, Body: "Testo."}))
	ids.article = art.ID
	sh := &store.KBArticle{OrgID: o.org.ID, Slug: "shared-" + o.org.Slug, Status: "published", Shared: true}
	e.must(e.d.Store().SaveKBArticle(context.Background(), sh))
	e.must(e.d.Store().SaveKBTranslation(context.Background(), &store.KBTranslation{OrgID: o.org.ID, ArticleID: sh.ID, Language: "it", Title: "Condiviso " + o.org.Slug, Body: "Testo."}))
	ids.shared = sh.ID
	svc := 9000 + o.org.ID
	set, err := hsds.ParseJSON("d.json", []byte(fmt.Sprintf(`{"id": "%d", "name": "Servizio %s", "status": "active", "organization": {"id": "org-%s", "name": "Ente %s", "description": "d"}}`,
		svc, o.org.Slug, o.org.Slug, o.org.Slug)))
	e.must(err)
	_, err = e.d.Store().ImportDirectory(context.Background(), o.org.ID, set, store.ImportOptions{})
	e.must(err)
	ref := &store.NewReferral{ConsentGiven: true}
	ref.OrgID, ref.ConversationID, ref.PartnerEmail, ref.Reason = o.org.ID, o.conversation, "p@"+o.org.Slug+".example", "r"
	e.must(e.d.Store().CreateReferral(context.Background(), ref))
	ids.service, ids.referral, ids.conversation = svc, ref.ID, o.conversation
	// An e-mail channel and the contact's address, for transcripts.
	_, err = e.d.AddChannel(context.Background(), o.org.ID, model.ChannelEmail, "Posta", channel.Settings{"address": "desk@" + o.org.Slug + ".example",
		"imap_url": "imaps://127.0.0.1:1", "smtp_url": "smtps://127.0.0.1:1"})
	e.must(err)
	e.must(e.s.AddIdentity(context.Background(), o.org.ID, o.contact, model.Identity{Kind: model.IdentityEmail, Value: "citizen@" + o.org.Slug + ".example"}))
	return ids
}

// TestIsolation walks every route of the table with organisation A's
// admin token against organisation B's ids: each must find nothing, and no
// answer may carry B's data. A route with a new kind of path id fails here
// until the test is told which of B's ids to use.
func TestIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a, b := e.newOrg("alpha"), e.newOrg("bravo")
		extra := map[*org]isolationIDs{a: e.isolationIDs(a), b: e.isolationIDs(b)}
		// B's article that is not shared is B's alone; its shared one is
		// not a secret.
		secrets := [][]byte{[]byte(b.contactName), []byte(b.body), []byte(b.team.Name), []byte(b.admin.Email), []byte(b.vol.Name), []byte("SPID bravo")}
		idOf := func(t *testing.T, o *org, path string) int64 {
			switch {
			case path == "/api/v1/kb/shared/{id}/copy":
				// What A may copy is B's shared article, never B's others.
				if o == a {
					return extra[b].shared
				}
				return extra[b].article
			case path == "/api/v1/conversations/{id}/templates":
				return extra[o].waConv
			case path == "/api/v1/channels/{id}/templates":
				return extra[o].whatsApp
			case strings.HasPrefix(path, "/api/v1/templates/{id}"):
				return extra[o].template
			case strings.HasPrefix(path, "/api/v1/conversations/{id}"):
				return o.conversation
			case strings.HasPrefix(path, "/api/v1/contacts/{id}"):
				return o.contact
			case strings.HasPrefix(path, "/api/v1/users/{id}"):
				return o.vol.ID
			case strings.HasPrefix(path, "/api/v1/teams/{id}"):
				return o.team.ID
			case strings.HasPrefix(path, "/api/v1/tokens/{id}"):
				return extra[o].token
			case strings.HasPrefix(path, "/api/v1/routing/rules/{id}"):
				return extra[o].rule
			case strings.HasPrefix(path, "/api/v1/channels/{id}"):
				return extra[o].channel
			case strings.HasPrefix(path, "/api/v1/kb/articles/{id}"):
				return extra[o].article
			case strings.HasPrefix(path, "/api/v1/directory/services/{id}"):
				return extra[o].service
			case strings.HasPrefix(path, "/api/v1/referrals/{id}"):
				return extra[o].referral
			}
			t.Fatalf("route %s: tell TestIsolation which id of an organisation to use", path)
			return 0
		}
		before := snapshot(t, s, b)
		for _, ep := range api.Endpoints() {
			t.Run(ep.Method+" "+ep.Path, func(t *testing.T) {
				if inQuery(t, e, ep.Method, ep.Path, a, b, secrets) { // screenings_test.go
					return
				}
				path := func(o *org) string {
					p := ep.Path
					if i := strings.Index(p, "{id}"); i >= 0 {
						p = p[:i] + fmt.Sprint(idOf(t, o, p)) + p[i+len("{id}"):]
					}
					p = strings.Replace(p, "{message}", fmt.Sprint(extra[o].failed), 1)
					p = strings.Replace(p, "{attachment}", fmt.Sprint(extra[o].file), 1)
					p = strings.Replace(p, "{language}", "it", 1)
					p = strings.Replace(p, "{aid}", extra[o].aid, 1)
					if strings.Contains(p, "{") {
						t.Fatalf("route %s has a path parameter TestIsolation does not fill", ep.Path)
					}
					return p
				}
				if strings.Contains(ep.Path, "{") {
					// The control: the same route with A's own id works.
					if r := e.call(ep.Method, path(a), a.adminToken, routeBody(ep.Method, ep.Path, extra[a])); r.status >= 300 {
						t.Fatalf("with A's own id: status %d: %s", r.status, r.body)
					}
				}
				r := e.call(ep.Method, path(b), a.adminToken, routeBody(ep.Method, ep.Path, extra[a]))
				for _, sec := range secrets {
					if bytes.Contains(r.body, sec) {
						t.Errorf("answer carries organisation B's %q: %s", sec, r.body)
					}
				}
				switch {
				case strings.Contains(ep.Path, "{"):
					if r.status != http.StatusNotFound {
						t.Fatalf("status %d, want 404: %s", r.status, r.body)
					}
					if code, _, _ := r.errorBody(t); code != "not_found" {
						t.Errorf("code %q, want not_found", code)
					}
				case r.status != http.StatusOK && r.status != http.StatusCreated:
					t.Errorf("status %d, want 200 or 201: %s", r.status, r.body)
				}
			})
		}
		if after := snapshot(t, s, b); after != before {
			t.Errorf("organisation B changed:\nbefore %s\nafter  %s", before, after)
		}

		// Filters naming B's records find nothing.
		for _, q := range []string{
			fmt.Sprintf("contact=%d", b.contact),
			fmt.Sprintf("team=%d", b.team.ID),
			fmt.Sprintf("assignee=%d", b.admin.ID),
			"q=" + strings.ReplaceAll(b.contactName, " ", "+"),
		} {
			var p page
			e.get("/api/v1/conversations?"+q, a.adminToken, &p)
			if len(p.Items) != 0 {
				t.Errorf("conversations?%s: %d items, want none", q, len(p.Items))
			}
		}
		var p page
		e.get("/api/v1/contacts?q="+strings.ReplaceAll(b.contactName, " ", "+"), a.adminToken, &p)
		if len(p.Items) != 0 {
			t.Errorf("contacts?q=B's name: %d items, want none", len(p.Items))
		}

		// Pointing A's conversation at B's team or user is refused.
		for _, body := range []string{
			fmt.Sprintf(`{"team_id": %d}`, b.team.ID),
			fmt.Sprintf(`{"assignee_id": %d}`, b.admin.ID),
		} {
			r := e.call("PATCH", fmt.Sprintf("/api/v1/conversations/%d", a.conversation), a.adminToken, body)
			if r.status != http.StatusBadRequest {
				t.Errorf("PATCH %s: status %d, want 400: %s", body, r.status, r.body)
			}
		}
	})
}

// snapshot describes what a client could change in an organisation's
// conversation: its state and its messages.
func snapshot(t *testing.T, s *store.Store, o *org) string {
	t.Helper()
	ctx := context.Background()
	c, err := s.Conversation(ctx, o.org.ID, o.conversation)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := s.Messages(ctx, o.org.ID, o.conversation, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	contacts, _, err := s.Contacts(ctx, o.org.ID, store.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// and its people, teams and tokens.
	var people []string
	users, err := s.Users(ctx, o.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		people = append(people, fmt.Sprintf("%s/%s/%v/%v/%d", u.Name, u.Role, u.Active, u.Languages, u.MaxChats))
	}
	teams, err := s.Teams(ctx, o.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		people = append(people, fmt.Sprintf("team %s %v", tm.Name, tm.MemberIDs))
	}
	tokens, err := s.APITokens(ctx, o.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tokens {
		people = append(people, fmt.Sprintf("token %s revoked=%v", tk.Name, tk.RevokedAt != nil))
	}
	return fmt.Sprintf("status=%s priority=%d team=%d assignee=%d tags=%v language=%q subject=%q snoozed=%v last_seq=%d messages=%d contacts=%d %v",
		c.Status, c.Priority, c.TeamID, c.AssigneeID, c.Tags, c.Language, c.Subject, c.SnoozedUntil, c.LastSeq, len(ms), len(contacts), people)
}
