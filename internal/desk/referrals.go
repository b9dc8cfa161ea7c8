package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Referrals (docs/DIRECTORY.md): an operator refers a case to a partner
// organisation — another organisation of this instance, or one outside
// it reached by e-mail with a link it answers through — with the
// citizen's recorded consent and only the fields the operator chose to
// share. Every change of status comes back to the case as a note.

// ShareFields names what a referral may share about the citizen.
var ShareFields = []string{"name", "phone", "email", "language", "summary"}

// ReferralRequest is an operator's referral.
type ReferralRequest struct {
	ConversationID int64
	PartnerSlug    string // an organisation of this instance
	PartnerEmail   string // or a partner outside it
	ServiceID      string // the directory's service, optional
	Share          []string
	Summary        string // what the operator writes about the case, if shared
	Reason         string
	ConsentGiven   bool // the citizen consents now (recorded); else a consent on file is needed
	DueDays        int  // default 7
	// LinkBase is the desk's public address (https://desk.example.org),
	// for the link an outside partner opens.
	LinkBase string
}

// ReferralLinkPath is where an outside partner answers a referral.
func ReferralLinkPath(orgSlug, token string) string {
	return "/o/" + orgSlug + "/referral/" + url.PathEscape(token)
}

// Refer records a referral. For an outside partner it returns the link
// (with its secret token, shown once) and records the e-mail to send.
func (d *Service) Refer(ctx context.Context, a *Actor, req ReferralRequest) (*store.Referral, string, error) {
	if !a.Can(model.PermReferralsManage) {
		return nil, "", errForbidden
	}
	conv, err := d.visible(ctx, a, req.ConversationID)
	if err != nil {
		return nil, "", err
	}
	n := &store.NewReferral{ConsentGiven: req.ConsentGiven, ConsentText: "referral-2026-1"}
	r := &n.Referral
	r.OrgID, r.ConversationID, r.CreatedBy, r.Reason = a.OrgID(), conv.ID, a.User.ID, req.Reason
	if req.DueDays < 0 || req.DueDays > 365 {
		return nil, "", model.Invalid("due_days", "referral.error.due", "between 1 and 365 days", nil)
	}
	if req.DueDays > 0 {
		r.DueAt = d.now().Add(time.Duration(req.DueDays) * 24 * time.Hour)
	}
	switch {
	case req.PartnerSlug != "" && req.PartnerEmail != "":
		return nil, "", model.Invalid("partner", "referral.error.partner", "name one partner", nil)
	case req.PartnerSlug != "":
		o, err := d.st.OrganizationBySlug(ctx, req.PartnerSlug)
		if err != nil {
			return nil, "", model.Invalid("partner", "referral.error.partner", "no such organisation here", nil)
		}
		r.PartnerOrgID = o.ID
	default:
		r.PartnerEmail = strings.TrimSpace(req.PartnerEmail)
	}
	if req.ServiceID != "" {
		card, err := d.ServiceCard(ctx, a.OrgID(), req.ServiceID, "", false)
		if err != nil {
			return nil, "", err
		}
		r.ServiceID, r.ServiceName = req.ServiceID, card.Name
	}
	contact, err := d.st.Contact(ctx, a.OrgID(), conv.ContactID)
	if err != nil {
		return nil, "", err
	}
	for _, f := range req.Share {
		switch f {
		case "name":
			r.Fields.Name = contact.DisplayName
		case "phone":
			r.Fields.Phone = identity(contact, model.IdentityPhone, model.IdentityWhatsApp)
		case "email":
			r.Fields.Email = identity(contact, model.IdentityEmail)
		case "language":
			r.Fields.Language = conv.Language
		case "summary":
			r.Fields.Summary = strings.TrimSpace(req.Summary)
		default:
			return nil, "", model.Invalid("share", "referral.error.share", "not a field a referral may share", nil)
		}
	}
	var token string
	if r.PartnerEmail != "" {
		tok, hash, err := auth.NewToken("ref_")
		if err != nil {
			return nil, "", err
		}
		token, n.TokenHash = tok, hash
	}
	if err := d.st.CreateReferral(ctx, n); err != nil {
		return nil, "", err
	}
	d.Audit(ctx, a, "referral_create", "referral", r.ID, fmt.Sprintf("conversation %d, partner %s%s, shared %s", conv.ID, r.PartnerName, r.PartnerEmail, strings.Join(req.Share, ",")))
	if token == "" {
		d.referralNote(ctx, r, "referral.note_sent", r.PartnerName)
		return r, "", nil
	}
	org, err := d.st.Organization(ctx, a.OrgID())
	if err != nil {
		return nil, "", err
	}
	link := strings.TrimSuffix(req.LinkBase, "/") + ReferralLinkPath(org.Slug, token)
	if pr, err := d.printer(org.Language); err == nil {
		args := map[string]any{"Name": org.Name, "Value": link}
		r.EmailSubject = pr.T("referral.email_subject", args)
		r.EmailBody = pr.T("referral.email_body", args)
		if err := d.st.SetReferralEmail(ctx, a.OrgID(), r.ID, r.EmailSubject, r.EmailBody); err != nil {
			return nil, "", err
		}
	}
	d.referralNote(ctx, r, "referral.note_sent", r.PartnerEmail)
	return r, link, nil
}

func identity(c *model.Contact, kinds ...model.IdentityKind) string {
	for _, k := range kinds {
		for _, id := range c.Identities {
			if id.Kind == k {
				return id.Value
			}
		}
	}
	return ""
}

// referralNote writes the case's note that a referral was sent.
func (d *Service) referralNote(ctx context.Context, r *store.Referral, key, who string) {
	org, err := d.st.Organization(ctx, r.OrgID)
	if err != nil {
		return
	}
	pr, err := d.printer(org.Language)
	if err != nil {
		return
	}
	m := &model.Message{Direction: model.DirectionNote, Body: pr.T(key, map[string]any{"Name": who})}
	if err := d.st.AddMessage(ctx, r.OrgID, r.ConversationID, m); err != nil {
		d.log.Error("referral note", "referral", r.ID, "err", err)
		return
	}
	d.publishMessage(m, false)
}

// statusNote is the note a status change leaves on the referring case.
func (d *Service) statusNote(lang string) func(*store.Referral) string {
	return func(r *store.Referral) string {
		pr, err := d.printer(lang)
		if err != nil {
			return ""
		}
		e := r.Events[len(r.Events)-1]
		who := r.PartnerName
		if who == "" {
			who = r.PartnerEmail
		}
		body := pr.T(statusNoteKey(e.Status), map[string]any{"Name": who})
		if e.Note != "" {
			body += "\n" + e.Note
		}
		return body
	}
}

func statusNoteKey(status string) string { return "referral.note_" + status }

// Referrals lists the referrals the actor's organisation sent or
// received.
func (d *Service) Referrals(ctx context.Context, a *Actor, f store.ReferralFilter) ([]*store.Referral, error) {
	if !a.Can(model.PermReferralsManage) {
		return nil, errForbidden
	}
	if f.ConversationID != 0 {
		if _, err := d.visible(ctx, a, f.ConversationID); err != nil {
			return nil, err
		}
	}
	return d.st.Referrals(ctx, a.OrgID(), f)
}

// Referral reads one referral the actor's organisation sent (received
// false) or received.
func (d *Service) Referral(ctx context.Context, a *Actor, id int64, received bool) (*store.Referral, error) {
	if !a.Can(model.PermReferralsManage) {
		return nil, errForbidden
	}
	side := store.SideReferrer
	if received {
		side = store.SidePartner
	}
	return d.st.GetReferral(ctx, side, a.OrgID(), id, "")
}

// AnswerReferral changes a referral the actor's organisation received
// (accepted, declined, completed) or sent (withdrawn); the status and
// note come back to the referring case.
func (d *Service) AnswerReferral(ctx context.Context, a *Actor, id int64, received bool, status, note string) (*store.Referral, error) {
	if !a.Can(model.PermReferralsManage) {
		return nil, errForbidden
	}
	side := store.SideReferrer
	if received {
		side = store.SidePartner
	}
	org, err := d.st.Organization(ctx, a.OrgID())
	if err != nil {
		return nil, err
	}
	cur, err := d.st.GetReferral(ctx, side, a.OrgID(), id, "")
	if err != nil {
		return nil, err
	}
	refOrg, err := d.st.Organization(ctx, cur.OrgID)
	if err != nil {
		return nil, err
	}
	ch := store.ReferralChange{Status: status, Note: strings.TrimSpace(note), ByOrgID: a.OrgID(), ByUser: a.User.ID, ByLabel: a.User.Name + " (" + org.Name + ")"}
	r, err := d.st.ChangeReferral(ctx, side, a.OrgID(), id, "", ch, d.statusNote(refOrg.Language))
	if err != nil {
		return nil, err
	}
	d.Audit(ctx, a, "referral_"+status, "referral", id, "")
	d.referralNoteEvent(r)
	return r, nil
}

// referralNoteEvent tells the referring case's viewers that a note came.
func (d *Service) referralNoteEvent(r *store.Referral) {
	ms, err := d.st.Messages(context.Background(), r.OrgID, r.ConversationID, 0, 0)
	if err == nil && len(ms) > 0 {
		d.publishMessage(ms[len(ms)-1], false)
	}
}

// LinkReferral reads the referral an outside partner's link names.
func (d *Service) LinkReferral(ctx context.Context, orgID int64, token string) (*store.Referral, error) {
	if !strings.HasPrefix(token, "ref_") {
		return nil, model.NotFound("referral")
	}
	return d.st.GetReferral(ctx, store.SideLink, orgID, 0, auth.HashToken(token))
}

// AnswerLinkReferral changes a referral through its link: the outside
// partner needs no account, the token is the authority.
func (d *Service) AnswerLinkReferral(ctx context.Context, orgID int64, token, status, note string) (*store.Referral, error) {
	cur, err := d.LinkReferral(ctx, orgID, token)
	if err != nil {
		return nil, err
	}
	org, err := d.st.Organization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	ch := store.ReferralChange{Status: status, Note: strings.TrimSpace(note), ByLabel: cur.PartnerEmail}
	r, err := d.st.ChangeReferral(ctx, store.SideLink, orgID, 0, auth.HashToken(token), ch, d.statusNote(org.Language))
	if err != nil {
		return nil, err
	}
	d.AuditSystem(ctx, orgID, "referral_"+status, "referral", r.ID, "by link: "+cur.PartnerEmail)
	d.referralNoteEvent(r)
	return r, nil
}

// referralEmail sends an outside partner the e-mail of a referral (its
// link) through the organisation's e-mail channel, and leaves a note on
// the case saying it went out. Without an e-mail channel it gives up at
// once: the note says to pass the link on another way.
func (d *Service) referralEmail(ctx context.Context, j *store.Job) error {
	var p struct {
		ReferralID int64 `json:"referral_id"`
	}
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return channel.Permanent(err)
	}
	r, err := d.st.GetReferral(ctx, store.SideReferrer, j.OrgID, p.ReferralID, "")
	if model.ErrorIs(err, model.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.PartnerEmail == "" || r.EmailBody == "" {
		return nil
	}
	ch, err := d.st.FirstChannel(ctx, j.OrgID, model.ChannelEmail)
	if model.ErrorIs(err, model.CodeNotFound) {
		d.referralNote(ctx, r, "referral.note_email_none", r.PartnerEmail)
		return channel.Permanent(fmt.Errorf("no e-mail channel to send the referral to %s", r.PartnerEmail))
	}
	if err != nil {
		return err
	}
	s, err := d.sender(ch)
	if err != nil {
		return err
	}
	to := model.Identity{Kind: model.IdentityEmail, Value: r.PartnerEmail}
	if _, err := s.Send(ctx, channel.Outbound{To: to, Subject: r.EmailSubject, Text: r.EmailBody, Auto: true}); err != nil {
		if channel.IsPermanent(err) || j.Attempts >= j.MaxAttempts {
			d.referralNote(ctx, r, "referral.note_email_failed", r.PartnerEmail)
		}
		return err
	}
	d.referralNote(ctx, r, "referral.note_emailed", r.PartnerEmail)
	return nil
}
