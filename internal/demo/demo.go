// Package demo loads a living demo desk into an empty database: an
// organisation with its opening hours, teams, operators and cultural
// mediators, channels, citizens and some thirty conversations in Italian,
// English, French, Arabic and Nigerian Pidgin.
//
// Everything goes through the store's public methods, so the demo data
// passes the same validation as real data. The people and their stories
// are fiction; the tables are in people.go and conversations.go.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Slug names the demo organisation.
const Slug = "demo"

// ConsentText is the version of the privacy notice the demo citizens
// agreed to.
const ConsentText = "privacy-2026-01"

// ErrExists reports that the database already holds the demo organisation.
var ErrExists = &model.Error{
	Code:    model.CodeConflict,
	Key:     "error.demo.exists",
	Message: `an organisation with slug "demo" already exists: the demo loads only into an empty database`,
}

// Options tune Load.
type Options struct {
	// Password is given to every demo user. Empty means a random one,
	// reported in Result.Password.
	Password string
	// PasswordParams is the hashing cost; the zero value means
	// auth.DefaultPasswordParams().
	PasswordParams auth.PasswordParams
	// Now is the moment the demo is staged around: messages are spread over
	// the ten days before it. Zero means time.Now().
	Now time.Time
}

// Result tells what Load created.
type Result struct {
	Org           *model.Organization
	AdminEmail    string
	Password      string // the password of every demo user
	Users         int
	Teams         int
	Channels      int
	Contacts      int
	Consents      int
	Conversations int
	Messages      int // citizens' messages, replies and notes; events not counted
	Articles      int // of the knowledge base, each in one or more languages
}

// Load creates the demo organisation and its data. It refuses, with
// ErrExists, a database that already has an organisation with slug "demo".
//
// Load is not atomic: if it fails half-way, drop the database and start
// again. The store stamps replies, notes and events with its own clock, so
// those carry the time of loading; citizens' messages carry their staged
// times.
func Load(ctx context.Context, s *store.Store, opt Options) (*Result, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.PasswordParams == (auth.PasswordParams{}) {
		opt.PasswordParams = auth.DefaultPasswordParams()
	}
	if opt.Password == "" {
		opt.Password = auth.GeneratePassword()
	}
	_, err := s.OrganizationBySlug(ctx, Slug)
	switch {
	case err == nil:
		return nil, ErrExists
	case !errors.Is(err, model.ErrNotFound):
		return nil, fmt.Errorf("demo: look for an existing demo: %w", err)
	}
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	l := &loader{
		s: s, opt: opt, loc: loc,
		res:      &Result{Password: opt.Password},
		users:    map[string]*model.User{},
		teams:    map[string]*model.Team{},
		channels: map[model.ChannelKind]*model.Channel{},
		contacts: map[string]*model.Contact{},
		firstAt:  map[string]time.Time{},
		firstVia: map[string]model.ChannelKind{},
	}
	for _, step := range []func(context.Context) error{
		l.organization, l.people, l.teamsAndChannels, l.contactList, l.conversations, l.consents,
		l.routing,       // rules, strategies, service levels, out-of-hours reply (routing.go)
		l.knowledgeBase, // starter articles of the help centre (kb.go)
		l.directory,     // the directory of services (directory.go)
		l.partner,       // a partner organisation to refer cases to (directory.go)
	} {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	return l.res, nil
}

// loader carries what one Load has created so far.
type loader struct {
	s        *store.Store
	opt      Options
	loc      *time.Location
	res      *Result
	org      *model.Organization
	users    map[string]*model.User
	teams    map[string]*model.Team
	channels map[model.ChannelKind]*model.Channel
	contacts map[string]*model.Contact
	firstAt  map[string]time.Time // contact key → first message, for consents
	firstVia map[string]model.ChannelKind
}

// settings is the organisation's settings document; the hours package
// reads the "hours" member.
type settings struct {
	Hours hours.Calendar `json:"hours"`
}

func openingHours() hours.Calendar {
	day := []hours.Shift{{Start: "09:30", End: "18:00"}}
	national := true
	return hours.Calendar{
		TimeZone:         timeZone,
		Weekly:           hours.Weekly{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day},
		NationalHolidays: &national,
	}
}

func (l *loader) organization(ctx context.Context) error {
	l.org = &model.Organization{Slug: Slug, Name: orgName, TimeZone: timeZone, Language: "it"}
	if err := l.s.CreateOrganization(ctx, l.org); err != nil {
		return fmt.Errorf("create organisation: %w", err)
	}
	doc, err := json.Marshal(settings{Hours: openingHours()})
	if err != nil {
		return err
	}
	if err := l.s.SetOrganizationSettings(ctx, l.org.ID, string(doc)); err != nil {
		return fmt.Errorf("save opening hours: %w", err)
	}
	l.res.Org = l.org
	return nil
}

func (l *loader) people(ctx context.Context) error {
	for _, p := range users {
		hash, err := auth.HashPassword(l.opt.Password, l.opt.PasswordParams)
		if err != nil {
			return err
		}
		u := &model.User{OrgID: l.org.ID, Email: p.email, Name: p.name, Role: p.role,
			Languages: slices.Clone(p.languages), Active: true, MaxChats: p.maxChats, PasswordHash: hash}
		if err := l.s.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("create user %s: %w", p.email, err)
		}
		l.users[p.key] = u
		if p.role == model.RoleAdmin && l.res.AdminEmail == "" {
			l.res.AdminEmail = u.Email
		}
	}
	l.res.Users = len(l.users)
	return nil
}

func (l *loader) teamsAndChannels(ctx context.Context) error {
	for _, t := range teams {
		team := &model.Team{OrgID: l.org.ID, Slug: t.slug, Name: t.name}
		for _, key := range t.members {
			u, err := l.user(key)
			if err != nil {
				return err
			}
			team.MemberIDs = append(team.MemberIDs, u.ID)
		}
		if err := l.s.CreateTeam(ctx, team); err != nil {
			return fmt.Errorf("create team %s: %w", t.slug, err)
		}
		l.teams[t.slug] = team
	}
	for _, c := range channels {
		ch := &model.Channel{OrgID: l.org.ID, Kind: c.kind, Name: c.name, Settings: "{}", Active: true}
		if err := l.s.CreateChannel(ctx, ch); err != nil {
			return fmt.Errorf("create channel %s: %w", c.kind, err)
		}
		l.channels[c.kind] = ch
	}
	if wa, ok := l.channels[model.ChannelWhatsApp]; ok {
		// The demo's WhatsApp conversations are past their 24-hour window:
		// approved templates are how operators write to them.
		for _, t := range demoTemplates {
			t.OrgID, t.ChannelID = l.org.ID, wa.ID
			if err := l.s.CreateTemplate(ctx, &t); err != nil {
				return fmt.Errorf("create template %s: %w", t.Name, err)
			}
		}
	}
	l.res.Teams, l.res.Channels = len(l.teams), len(l.channels)
	return nil
}

func (l *loader) contactList(ctx context.Context) error {
	for _, c := range contacts {
		ct := &model.Contact{OrgID: l.org.ID, DisplayName: c.name, Language: c.language,
			Identities: slices.Clone(c.identities), Notes: c.notes}
		if err := l.s.CreateContact(ctx, ct); err != nil {
			return fmt.Errorf("create contact %s: %w", c.key, err)
		}
		l.contacts[c.key] = ct
	}
	l.res.Contacts = len(l.contacts)
	return nil
}

// conversations plays the scripts in the order of their citizens' last
// messages, so that the inbox, which sorts by the store's clock, shows the
// most recent stories on top.
func (l *loader) conversations(ctx context.Context) error {
	type staged struct {
		n           int
		start, last time.Time
	}
	order := make([]staged, len(conversations))
	for i, cv := range conversations {
		start := l.start(cv)
		order[i] = staged{i, start, start.Add(lastInbound(cv))}
	}
	slices.SortStableFunc(order, func(a, b staged) int { return a.last.Compare(b.last) })
	for _, o := range order {
		if err := l.conversation(ctx, o.n, o.start); err != nil {
			return fmt.Errorf("conversation %d (%s): %w", o.n+1, conversations[o.n].contact, err)
		}
	}
	l.res.Conversations = len(conversations)
	return nil
}

func lastInbound(cv conversation) time.Duration {
	var last time.Duration
	for _, st := range cv.script {
		last = max(last, st.after)
	}
	return last
}

// start places a conversation's first message, moved back if its last
// message would otherwise fall after Now.
func (l *loader) start(cv conversation) time.Time {
	now := l.opt.Now.In(l.loc)
	y, mo, d := now.Date()
	w := cv.start
	back := w.daysAgo
	if w.onWeekday {
		// The most recent such day before today.
		back = (int(now.Weekday())-int(w.weekday)+6)%7 + 1
	}
	t := time.Date(y, mo, d-back, w.hour, w.minute, 0, 0, l.loc)
	last := lastInbound(cv)
	if limit := l.opt.Now.Add(-10 * time.Minute); t.Add(last).After(limit) {
		t = limit.Add(-last)
	}
	return t
}

func (l *loader) conversation(ctx context.Context, n int, start time.Time) error {
	cv := conversations[n]
	ch, ok := l.channels[cv.channel]
	if !ok {
		return fmt.Errorf("no %s channel", cv.channel)
	}
	ct, ok := l.contacts[cv.contact]
	if !ok {
		return fmt.Errorf("no contact %q", cv.contact)
	}
	from, err := identityFor(ct, cv.channel)
	if err != nil {
		return err
	}
	if len(cv.script) == 0 || cv.script[0].kind != stepIn {
		return errors.New("a conversation starts with the citizen's message")
	}
	var convID int64
	triaged := false
	closer := ""   // who changes the final status: the last assignee
	clock := start // the time of the latest step, so replies follow the messages they answer
	for i, st := range cv.script {
		switch st.kind {
		case stepIn:
			at := start.Add(st.after)
			clock = at
			res, err := l.s.RecordInbound(ctx, store.Inbound{
				OrgID: l.org.ID, ChannelID: ch.ID, Channel: ch.Kind, From: from, Language: cv.language,
				ProviderMessageID: providerID(cv.channel, n, i), Body: st.text, At: at,
			})
			if err != nil {
				return err
			}
			switch {
			case convID == 0 && !res.NewConversation:
				return errors.New("the first message joined an earlier conversation: resolve that one first")
			case convID != 0 && res.ConversationID != convID:
				return errors.New("a message left its conversation")
			}
			convID = res.ConversationID
			l.res.Messages++
			if _, seen := l.firstAt[cv.contact]; !seen {
				l.firstAt[cv.contact], l.firstVia[cv.contact] = at, cv.channel
			}
		case stepReply, stepNote:
			by, err := l.user(st.by)
			if err != nil {
				return err
			}
			m := &model.Message{Direction: model.DirectionNote, Body: st.text, AuthorUserID: by.ID, CreatedAt: clock.Add(time.Duration(3+i%5) * time.Minute)}
			clock = m.CreatedAt
			if st.kind == stepReply {
				// Delivered already: nothing for an outbound queue to send to
				// these made-up addresses.
				m.Direction, m.DeliveryStatus = model.DirectionOutbound, delivered[cv.channel]
			}
			if err := l.s.AddMessage(ctx, l.org.ID, convID, m); err != nil {
				return err
			}
			l.res.Messages++
		case stepRoute:
			p, err := l.route(st)
			if err != nil {
				return err
			}
			if !triaged {
				triage(&p, cv)
				triaged = true
			}
			if err := l.update(ctx, convID, st.by, p); err != nil {
				return err
			}
			closer = st.assignee
		}
	}
	if !triaged {
		var p store.ConversationPatch
		triage(&p, cv)
		if err := l.update(ctx, convID, "", p); err != nil {
			return err
		}
	}
	if cv.status == "" || cv.status == model.StatusOpen {
		return nil
	}
	p := store.ConversationPatch{Status: &cv.status}
	if cv.status == model.StatusSnoozed {
		// Snoozing needs a time after the store's clock, which may be ahead
		// of a Now set in the past.
		until := later(l.opt.Now, time.Now()).Add(cv.snooze).Truncate(time.Minute)
		p.SnoozedUntil = &until
	}
	return l.update(ctx, convID, closer, p)
}

// triage sets what the first person to sort the conversation decides:
// subject, tags, priority, restriction.
func triage(p *store.ConversationPatch, cv conversation) {
	if cv.subject != "" {
		p.Subject = &cv.subject
	}
	if len(cv.tags) > 0 {
		tags := slices.Clone(cv.tags)
		p.Tags = &tags
	}
	if cv.priority != model.PriorityNormal {
		p.Priority = &cv.priority
	}
	if cv.restricted {
		p.Restricted = &cv.restricted
	}
}

func (l *loader) route(st step) (store.ConversationPatch, error) {
	var p store.ConversationPatch
	if st.team != "" {
		t, ok := l.teams[st.team]
		if !ok {
			return p, fmt.Errorf("no team %q", st.team)
		}
		p.TeamID = &t.ID
	}
	if st.assignee != "" {
		u, err := l.user(st.assignee)
		if err != nil {
			return p, err
		}
		p.AssigneeID = &u.ID
	}
	return p, nil
}

func (l *loader) update(ctx context.Context, convID int64, by string, p store.ConversationPatch) error {
	if p == (store.ConversationPatch{}) {
		return nil
	}
	var actor int64
	if by != "" {
		u, err := l.user(by)
		if err != nil {
			return err
		}
		actor = u.ID
	}
	_, err := l.s.UpdateConversation(ctx, l.org.ID, convID, actor, p)
	return err
}

func (l *loader) consents(ctx context.Context) error {
	for _, c := range contacts {
		if c.noConsent {
			continue
		}
		at, ok := l.firstAt[c.key]
		if !ok {
			return fmt.Errorf("contact %s gave consent but never wrote", c.key)
		}
		source := string(l.firstVia[c.key])
		if c.consentBy != "" {
			u, err := l.user(c.consentBy)
			if err != nil {
				return err
			}
			source = "operator:" + u.Email
		}
		purposes := []string{"data_processing"}
		if c.referral {
			purposes = append(purposes, "referral")
		}
		for _, purpose := range purposes {
			cs := &model.Consent{OrgID: l.org.ID, ContactID: l.contacts[c.key].ID, Purpose: purpose,
				TextVersion: ConsentText, Source: source, GivenAt: at}
			if err := l.s.RecordConsent(ctx, cs); err != nil {
				return fmt.Errorf("record consent of %s: %w", c.key, err)
			}
			l.res.Consents++
		}
	}
	return nil
}

func (l *loader) user(key string) (*model.User, error) {
	u, ok := l.users[key]
	if !ok {
		return nil, fmt.Errorf("no user %q", key)
	}
	return u, nil
}

// identityFor picks the identity a channel reaches the contact at.
func identityFor(c *model.Contact, ch model.ChannelKind) (model.Identity, error) {
	want := identityKinds[ch]
	for _, id := range c.Identities {
		if id.Kind == want {
			return id, nil
		}
	}
	return model.Identity{}, fmt.Errorf("contact %q has no %s identity for the %s channel", c.DisplayName, want, ch)
}

// identityKinds tells which identity each demo channel knows a citizen by;
// the web form asks for an e-mail address.
var identityKinds = map[model.ChannelKind]model.IdentityKind{
	model.ChannelWeb:      model.IdentityWeb,
	model.ChannelWhatsApp: model.IdentityWhatsApp,
	model.ChannelSMS:      model.IdentityPhone,
	model.ChannelEmail:    model.IdentityEmail,
	model.ChannelForm:     model.IdentityEmail,
}

// providerID makes the id a provider would have given message i of
// conversation n, in the provider's own style.
func providerID(ch model.ChannelKind, n, i int) string {
	switch ch {
	case model.ChannelWhatsApp:
		return fmt.Sprintf("wamid.DEMO%04d%02d", n+1, i)
	case model.ChannelSMS:
		return fmt.Sprintf("SMdemo%04d%02d", n+1, i)
	case model.ChannelEmail:
		return fmt.Sprintf("<demo.%04d.%02d@mail.example.org>", n+1, i)
	default:
		return fmt.Sprintf("%s-demo-%04d-%02d", ch, n+1, i)
	}
}

// delivered is how far a reply has got on each channel.
var delivered = map[model.ChannelKind]model.DeliveryStatus{
	model.ChannelWeb:      model.DeliveryRead,
	model.ChannelWhatsApp: model.DeliveryRead,
	model.ChannelSMS:      model.DeliveryDelivered,
	model.ChannelEmail:    model.DeliverySent,
	model.ChannelForm:     model.DeliverySent,
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// demoTemplates are WhatsApp templates as Meta would have approved them.
var demoTemplates = []store.Template{
	{Name: "aggiornamento_pratica", Language: "it", Body: "Gentile {{1}}, ci sono novità sulla sua pratica: {{2}}. Risponda a questo messaggio per parlarne con noi."},
	{Name: "promemoria_appuntamento", Language: "it", Body: "Gentile {{1}}, le ricordiamo l'appuntamento allo sportello {{2}}. Se non può venire, risponda a questo messaggio."},
	{Name: "case_update", Language: "en", Body: "Dear {{1}}, there is news about your case: {{2}}. Reply to this message to talk to us."},
	{Name: "mise_a_jour_dossier", Language: "fr", Body: "Bonjour {{1}}, il y a du nouveau dans votre dossier : {{2}}. Répondez à ce message pour en parler avec nous."},
	{Name: "tahdith_almilaf", Language: "ar", Body: "مرحبًا {{1}}، هناك جديد بخصوص ملفك: {{2}}. أجب على هذه الرسالة للتحدث معنا."},
}
