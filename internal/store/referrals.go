package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Referral statuses. A referral is sent, then the partner accepts or
// declines it, then completes an accepted one; the referring desk may
// withdraw it while open.
const (
	ReferralSent      = "sent"
	ReferralAccepted  = "accepted"
	ReferralDeclined  = "declined"
	ReferralCompleted = "completed"
	ReferralWithdrawn = "withdrawn"
)

// ReferralFields are what a referral shares about the citizen: only the
// fields the operator ticked are set.
type ReferralFields struct {
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	Language string `json:"language,omitempty"`
	Summary  string `json:"summary,omitempty"`
}

// Referral is a case referred to a partner organisation.
type Referral struct {
	ID             int64
	OrgID          int64 // the referring organisation
	OrgName        string
	ConversationID int64
	ContactID      int64
	ConsentID      int64
	ServiceID      string // the directory's service referred to, if any
	ServiceName    string
	PartnerOrgID   int64  // a partner on this instance, or 0
	PartnerName    string // its name
	PartnerEmail   string // a partner outside, reached by e-mail
	Fields         ReferralFields
	Reason         string
	Status         string
	EmailSubject   string // the e-mail to send an outside partner
	EmailBody      string
	DueAt          time.Time
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Events         []ReferralEvent
}

// Overdue reports whether the partner has not closed it in time.
func (r *Referral) Overdue(now time.Time) bool {
	return (r.Status == ReferralSent || r.Status == ReferralAccepted) && now.After(r.DueAt)
}

// Open reports whether the referral still waits for the partner.
func (r *Referral) Open() bool { return r.Status == ReferralSent || r.Status == ReferralAccepted }

// ReferralEvent is one change of a referral's status.
type ReferralEvent struct {
	Status  string
	Note    string
	ByLabel string // who: a user's name and organisation, or the outside partner's address
	At      time.Time
}

// NewReferral is what CreateReferral needs. With ConsentGiven the
// operator records, in the same transaction, that the citizen consented
// now (purpose "referral", ConsentText the version of the text read to
// them); otherwise the contact's latest referral consent not withdrawn is
// used, and without one the referral is refused.
type NewReferral struct {
	Referral
	ConsentGiven bool
	ConsentText  string
	TokenHash    string // for a partner outside: the SHA-256 of the link's token
}

// Referral limits.
const (
	ReferralReasonMax  = 2000
	ReferralSummaryMax = 2000
	ReferralNoteMax    = 2000
)

var errReferralConsent = &model.Error{Code: model.CodeInvalid, Key: "referral.error.consent", Field: "consent", Message: "the citizen has not consented to the referral"}

// CreateReferral records a referral, its consent and its first event in
// one transaction. The conversation and the contact must belong to
// r.OrgID; the partner organisation must be another one.
func (s *Store) CreateReferral(ctx context.Context, n *NewReferral) error {
	r := &n.Referral
	r.Reason = strings.TrimSpace(r.Reason)
	if err := model.CheckText("reason", r.Reason, true, ReferralReasonMax); err != nil {
		return err
	}
	if err := model.CheckText("summary", r.Fields.Summary, false, ReferralSummaryMax); err != nil {
		return err
	}
	if (r.PartnerOrgID == 0) == (r.PartnerEmail == "") {
		return model.Invalid("partner", "referral.error.partner", "name one partner: an organisation here or an e-mail address", nil)
	}
	if r.PartnerOrgID == r.OrgID {
		return model.Invalid("partner", "referral.error.partner", "name one partner: an organisation here or an e-mail address", nil)
	}
	if r.PartnerEmail != "" {
		e, err := model.NormalizeEmail("partner_email", r.PartnerEmail)
		if err != nil {
			return err
		}
		r.PartnerEmail = e
	}
	fields, err := json.Marshal(r.Fields)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	r.CreatedAt, r.UpdatedAt, r.Status = now, now, ReferralSent
	if r.DueAt.IsZero() {
		r.DueAt = now.Add(7 * 24 * time.Hour)
	}
	return s.inTx(ctx, func(tx q) error {
		if err := tx.row(ctx, `SELECT contact_id FROM conversations WHERE org_id = ? AND id = ?`, r.OrgID, r.ConversationID).Scan(&r.ContactID); err != nil {
			return notFound(err, "conversation")
		}
		if r.PartnerOrgID != 0 {
			if err := tx.row(ctx, `SELECT name FROM organizations WHERE id = ?`, r.PartnerOrgID).Scan(&r.PartnerName); err != nil {
				return notFound(err, "organization")
			}
		}
		if n.ConsentGiven {
			text := n.ConsentText
			if text == "" {
				text = "referral"
			}
			if err := tx.row(ctx, `INSERT INTO consents (org_id, contact_id, purpose, text_version, source, given_at)
				VALUES (?, ?, 'referral', ?, 'operator', ?) RETURNING id`, r.OrgID, r.ContactID, text, ms(now)).Scan(&r.ConsentID); err != nil {
				return err
			}
		} else {
			err := tx.row(ctx, `SELECT id FROM consents WHERE org_id = ? AND contact_id = ? AND purpose = 'referral' AND withdrawn_at IS NULL
				ORDER BY given_at DESC, id DESC LIMIT 1`, r.OrgID, r.ContactID).Scan(&r.ConsentID)
			if errors.Is(err, sql.ErrNoRows) {
				return errReferralConsent
			}
			if err != nil {
				return err
			}
		}
		var partner any
		if r.PartnerOrgID != 0 {
			partner = r.PartnerOrgID
		}
		if err := tx.row(ctx, `INSERT INTO referrals (org_id, conversation_id, contact_id, consent_id, service_id, service_name, partner_org_id,
			partner_email, fields, reason, status, token_hash, email_subject, email_body, due_at, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.OrgID, r.ConversationID, r.ContactID, r.ConsentID, r.ServiceID, r.ServiceName, partner, r.PartnerEmail, string(fields),
			r.Reason, r.Status, n.TokenHash, r.EmailSubject, r.EmailBody, ms(r.DueAt), nullID(r.CreatedBy), ms(now), ms(now)).Scan(&r.ID); err != nil {
			return err
		}
		return insertReferralEvent(ctx, tx, r.ID, ReferralSent, r.Reason, r.OrgID, r.CreatedBy, "", now)
	})
}

// SetReferralEmail records the e-mail text to send an outside partner.
//
// The e-mail to the partner is queued (JobReferral) in the same
// transaction: the job runner sends it through the organisation's e-mail
// channel.
func (s *Store) SetReferralEmail(ctx context.Context, orgID, id int64, subject, body string) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		if err := mustAffect(tx.exec(ctx, `UPDATE referrals SET email_subject = ?, email_body = ? WHERE org_id = ? AND id = ?`, subject, body, orgID, id))("referral"); err != nil {
			return err
		}
		return insertJob(ctx, tx, &Job{OrgID: orgID, Kind: JobReferral, Payload: fmt.Sprintf(`{"referral_id": %d}`, id)}, now)
	})
}

func insertReferralEvent(ctx context.Context, tx q, id int64, status, note string, byOrg, byUser int64, label string, at time.Time) error {
	var org, user any
	if byOrg != 0 {
		org = byOrg
	}
	if byUser != 0 {
		user = byUser
	}
	_, err := tx.exec(ctx, `INSERT INTO referral_events (referral_id, status, note, by_org_id, by_user_id, by_label, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, status, note, org, user, label, ms(at))
	return err
}

// ReferralSide says from where a referral is read or changed.
type ReferralSide int

const (
	SideReferrer ReferralSide = iota // the referring organisation
	SidePartner                      // the partner organisation on this instance
	SideLink                         // the outside partner, through the link
)

// partnerTransitions are the changes a partner may make, here or
// through the link: new status → the statuses it may come from.
var partnerTransitions = map[string][]string{
	ReferralAccepted:  {ReferralSent},
	ReferralDeclined:  {ReferralSent, ReferralAccepted},
	ReferralCompleted: {ReferralAccepted},
}

// referralTransitions are the changes each side may make.
var referralTransitions = map[ReferralSide]map[string][]string{
	SideReferrer: {ReferralWithdrawn: {ReferralSent, ReferralAccepted}},
	SidePartner:  partnerTransitions,
	SideLink:     partnerTransitions,
}

// ReferralChange is a status change with its note.
type ReferralChange struct {
	Status  string
	Note    string
	ByOrgID int64
	ByUser  int64
	ByLabel string
}

var errReferralStatus = &model.Error{Code: model.CodeConflict, Key: "referral.error.status", Field: "status", Message: "this change is not possible in the referral's current status"}

// ChangeReferral changes a referral's status from one side, in one
// transaction with its event and a note on the referring conversation
// (noteBody, when not empty). The referral is found by id for the
// referrer (scoped by orgID) and the partner (scoped by partner_org_id =
// orgID), by token hash for the link (orgID is the referring org).
func (s *Store) ChangeReferral(ctx context.Context, side ReferralSide, orgID, id int64, tokenHash string, ch ReferralChange, noteBody func(*Referral) string) (*Referral, error) {
	if err := model.CheckText("note", ch.Note, false, ReferralNoteMax); err != nil {
		return nil, err
	}
	allowed, ok := referralTransitions[side][ch.Status]
	if !ok {
		return nil, model.Invalid("status", "referral.error.status_value", "not a status this side can set", nil)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var out *Referral
	err := s.inTx(ctx, func(tx q) error {
		r, err := loadReferral(ctx, tx, side, orgID, id, tokenHash)
		if err != nil {
			return err
		}
		ok := false
		for _, from := range allowed {
			ok = ok || r.Status == from
		}
		if !ok {
			return errReferralStatus
		}
		res, err := tx.exec(ctx, `UPDATE referrals SET status = ?, updated_at = ? WHERE id = ? AND status = ?`, ch.Status, ms(now), r.ID, r.Status)
		if err := mustAffect(res, err)("referral"); err != nil {
			return errReferralStatus
		}
		if err := insertReferralEvent(ctx, tx, r.ID, ch.Status, ch.Note, ch.ByOrgID, ch.ByUser, ch.ByLabel, now); err != nil {
			return err
		}
		r.Status, r.UpdatedAt = ch.Status, now
		r.Events = append(r.Events, ReferralEvent{Status: ch.Status, Note: ch.Note, ByLabel: ch.ByLabel, At: now})
		if noteBody != nil {
			if body := noteBody(r); body != "" {
				m := &model.Message{OrgID: r.OrgID, ConversationID: r.ConversationID, Direction: model.DirectionNote, Body: body, CreatedAt: now}
				var channelID, lastSeq int64
				if err := tx.row(ctx, "SELECT channel_id, last_seq FROM conversations WHERE org_id = ? AND id = ?", r.OrgID, r.ConversationID).Scan(&channelID, &lastSeq); err != nil {
					return notFound(err, "conversation")
				}
				m.Seq = lastSeq + 1
				if err := insertMessage(ctx, tx, m, channelID); err != nil {
					return err
				}
				if _, err := tx.exec(ctx, "UPDATE conversations SET last_seq = ?, last_activity_at = ? WHERE org_id = ? AND id = ?", m.Seq, ms(now), r.OrgID, r.ConversationID); err != nil {
					return err
				}
			}
		}
		out = r
		return nil
	})
	return out, err
}

const referralColumns = `r.id, r.org_id, o.name, r.conversation_id, r.contact_id, r.consent_id, r.service_id, r.service_name,
	COALESCE(r.partner_org_id, 0), COALESCE(p.name, ''), r.partner_email, r.fields, r.reason, r.status, r.email_subject, r.email_body,
	r.due_at, COALESCE(r.created_by, 0), r.created_at, r.updated_at`

const referralFrom = ` FROM referrals r JOIN organizations o ON o.id = r.org_id LEFT JOIN organizations p ON p.id = r.partner_org_id `

func scanReferral(sc interface{ Scan(...any) error }) (*Referral, error) {
	var r Referral
	var fields string
	var due, created, updated int64
	if err := sc.Scan(&r.ID, &r.OrgID, &r.OrgName, &r.ConversationID, &r.ContactID, &r.ConsentID, &r.ServiceID, &r.ServiceName,
		&r.PartnerOrgID, &r.PartnerName, &r.PartnerEmail, &fields, &r.Reason, &r.Status, &r.EmailSubject, &r.EmailBody,
		&due, &r.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(fields), &r.Fields)
	r.DueAt, r.CreatedAt, r.UpdatedAt = fromMS(due), fromMS(created), fromMS(updated)
	return &r, nil
}

func loadReferral(ctx context.Context, x q, side ReferralSide, orgID, id int64, tokenHash string) (*Referral, error) {
	var row *sql.Row
	switch side {
	case SideReferrer:
		row = x.row(ctx, `SELECT `+referralColumns+referralFrom+`WHERE r.org_id = ? AND r.id = ?`, orgID, id)
	case SidePartner:
		row = x.row(ctx, `SELECT `+referralColumns+referralFrom+`WHERE r.partner_org_id = ? AND r.id = ?`, orgID, id)
	default:
		if tokenHash == "" {
			return nil, model.NotFound("referral")
		}
		row = x.row(ctx, `SELECT `+referralColumns+referralFrom+`WHERE r.org_id = ? AND r.token_hash = ?`, orgID, tokenHash)
	}
	r, err := scanReferral(row)
	if err != nil {
		return nil, notFound(err, "referral")
	}
	rows, err := x.query(ctx, `SELECT status, note, by_label, at FROM referral_events WHERE referral_id = ? ORDER BY at, id`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e ReferralEvent
		var at int64
		if err := rows.Scan(&e.Status, &e.Note, &e.ByLabel, &at); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		r.Events = append(r.Events, e)
	}
	return r, rows.Err()
}

// GetReferral reads a referral with its events from one side.
func (s *Store) GetReferral(ctx context.Context, side ReferralSide, orgID, id int64, tokenHash string) (*Referral, error) {
	return loadReferral(ctx, s.reader(), side, orgID, id, tokenHash)
}

// ReferralFilter selects referrals.
type ReferralFilter struct {
	Received       bool  // those sent to orgID, else those orgID sent
	ConversationID int64 // the referrer's, for one case
	OpenOnly       bool
}

// Referrals lists referrals, newest first, at most 500.
func (s *Store) Referrals(ctx context.Context, orgID int64, f ReferralFilter) ([]*Referral, error) {
	where := "r.org_id = ?"
	if f.Received {
		where = "r.partner_org_id = ?"
	}
	args := []any{orgID}
	if f.ConversationID != 0 && !f.Received {
		where += " AND r.conversation_id = ?"
		args = append(args, f.ConversationID)
	}
	if f.OpenOnly {
		where += " AND r.status IN ('sent', 'accepted')"
	}
	rows, err := s.reader().query(ctx, `SELECT `+referralColumns+referralFrom+`WHERE `+where+` ORDER BY r.created_at DESC, r.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Referral{}
	byID := map[int64]*Referral{}
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		byID[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// The events of the page in one query.
	marks := strings.Repeat("?, ", len(out))
	ids := make([]any, 0, len(out))
	for _, r := range out {
		ids = append(ids, r.ID)
	}
	ev, err := s.reader().query(ctx, `SELECT referral_id, status, note, by_label, at FROM referral_events
		WHERE referral_id IN (`+marks[:len(marks)-2]+`) ORDER BY at, id`, ids...)
	if err != nil {
		return nil, err
	}
	defer ev.Close()
	for ev.Next() {
		var id, at int64
		var e ReferralEvent
		if err := ev.Scan(&id, &e.Status, &e.Note, &e.ByLabel, &at); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		byID[id].Events = append(byID[id].Events, e)
	}
	return out, ev.Err()
}
