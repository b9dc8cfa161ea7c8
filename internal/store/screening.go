package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/model"
)

// Where a screener was run.
const (
	ScreenPortal  = "portal"  // a citizen, on the organisation's pages
	ScreenConsole = "console" // an operator, from a case
	ScreenChat    = "chat"    // in a conversation, question by question
	ScreenAPI     = "api"     // a client of the JSON API
)

var screenSources = []string{ScreenPortal, ScreenConsole, ScreenChat, ScreenAPI}

// Screening is a screener's result recorded on a case. Answers and Result
// are JSON: the answers given and the engine's whole result, in Language,
// as it was told on Date ("YYYY-MM-DD", whose rules applied).
type Screening struct {
	ID             int64
	OrgID          int64
	ConversationID int64
	ContactID      int64 // the conversation's contact
	Questionnaire  string
	Version        string
	Date           string
	Language       string
	Source         string
	Answers        string
	Result         string
	Outcomes       []ScreeningOutcome
	CreatedBy      int64 // 0: the citizen or the system
	CreatedAt      time.Time
}

// ScreeningOutcome is one benefit's outcome in a recorded result; amounts
// are in euro cents, nil when not computed.
type ScreeningOutcome struct {
	Benefit  string
	Outcome  string
	Period   string
	MinCents *int64
	MaxCents *int64
}

// maxScreeningJSON bounds the answers and the result of one screening.
const maxScreeningJSON = 4 << 20

// checkJSONText refuses what PostgreSQL would refuse in a text column, and
// what is no JSON document at all.
func checkJSONText(field, s string, max int) error {
	if len(s) > max {
		return model.Invalid(field, "error.too_large", field+" is too large", map[string]any{"Field": field})
	}
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 || !json.Valid([]byte(s)) {
		return model.Invalid(field, "error.validation.utf8", field+" is not a JSON document", map[string]any{"Field": field})
	}
	return nil
}

// CreateScreening records sc on its conversation, with its outcomes. When
// runID is not 0, the run it finishes is marked done with it, in the same
// transaction.
func (s *Store) CreateScreening(ctx context.Context, sc *Screening, runID int64) error {
	if !slices.Contains(screenSources, sc.Source) {
		return model.Invalid("source", "error.invalid", "unknown screening source", nil)
	}
	if err := checkJSONText("answers", sc.Answers, maxScreeningJSON); err != nil {
		return err
	}
	if err := checkJSONText("result", sc.Result, maxScreeningJSON); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"questionnaire", sc.Questionnaire}, {"version", sc.Version}, {"date", sc.Date}} {
		if err := model.CheckText(f.name, f.v, true, 100); err != nil {
			return err
		}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	sc.CreatedAt = now
	return s.inTx(ctx, func(tx q) error {
		if err := tx.row(ctx, "SELECT contact_id FROM conversations WHERE org_id = ? AND id = ?", sc.OrgID, sc.ConversationID).
			Scan(&sc.ContactID); err != nil {
			return notFound(err, "conversation")
		}
		if sc.CreatedBy != 0 {
			if err := mustExist(ctx, tx, "users", sc.OrgID, sc.CreatedBy, "created_by"); err != nil {
				return err
			}
		}
		if err := tx.row(ctx, `INSERT INTO screenings (org_id, conversation_id, contact_id, questionnaire, version, evaluated_on, language,
			source, answers, result, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			sc.OrgID, sc.ConversationID, sc.ContactID, sc.Questionnaire, sc.Version, sc.Date, sc.Language, sc.Source,
			sc.Answers, sc.Result, nullID(sc.CreatedBy), ms(now)).Scan(&sc.ID); err != nil {
			return mapError(err)
		}
		for _, o := range sc.Outcomes {
			if _, err := tx.exec(ctx, `INSERT INTO screening_outcomes (org_id, screening_id, benefit, outcome, period, amount_min_cents, amount_max_cents)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, sc.OrgID, sc.ID, o.Benefit, o.Outcome, o.Period, nullCents(o.MinCents), nullCents(o.MaxCents)); err != nil {
				return err
			}
		}
		if runID != 0 {
			res, err := tx.exec(ctx, "UPDATE screening_runs SET done_at = ?, screening_id = ?, updated_at = ? WHERE org_id = ? AND id = ?",
				ms(now), sc.ID, ms(now), sc.OrgID, runID)
			if err := mustAffect(res, err)("screening_run"); err != nil {
				return err
			}
		}
		return nil
	})
}

func nullCents(c *int64) sql.NullInt64 {
	if c == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *c, Valid: true}
}

const screeningColumns = "id, org_id, conversation_id, contact_id, questionnaire, version, evaluated_on, language, source, answers, result, created_by, created_at"

func scanScreening(sc interface{ Scan(...any) error }) (*Screening, error) {
	var x Screening
	var by nullInt
	var created int64
	if err := sc.Scan(&x.ID, &x.OrgID, &x.ConversationID, &x.ContactID, &x.Questionnaire, &x.Version, &x.Date, &x.Language,
		&x.Source, &x.Answers, &x.Result, &by, &created); err != nil {
		return nil, err
	}
	x.CreatedBy, x.CreatedAt = by.Int64, fromMS(created)
	return &x, nil
}

// Screening returns one recorded result of the organisation.
func (s *Store) Screening(ctx context.Context, orgID, id int64) (*Screening, error) {
	r := s.reader()
	sc, err := scanScreening(r.row(ctx, "SELECT "+screeningColumns+" FROM screenings WHERE org_id = ? AND id = ?", orgID, id))
	if err != nil {
		return nil, notFound(err, "screening")
	}
	return sc, s.fillOutcomes(ctx, r, orgID, []*Screening{sc})
}

// Screenings lists the results recorded on a conversation, newest first.
func (s *Store) Screenings(ctx context.Context, orgID, conversationID int64) ([]*Screening, error) {
	r := s.reader()
	rows, err := r.query(ctx, "SELECT "+screeningColumns+" FROM screenings WHERE org_id = ? AND conversation_id = ? ORDER BY created_at DESC, id DESC",
		orgID, conversationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Screening{}
	for rows.Next() {
		sc, err := scanScreening(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, s.fillOutcomes(ctx, r, orgID, out)
}

func (s *Store) fillOutcomes(ctx context.Context, r q, orgID int64, list []*Screening) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*Screening, len(list))
	args := []any{orgID}
	for _, sc := range list {
		byID[sc.ID] = sc
		sc.Outcomes = []ScreeningOutcome{}
		args = append(args, sc.ID)
	}
	rows, err := r.query(ctx, `SELECT screening_id, benefit, outcome, period, amount_min_cents, amount_max_cents FROM screening_outcomes
		WHERE org_id = ? AND screening_id IN (`+placeholders(len(list))+`) ORDER BY screening_id, benefit`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var o ScreeningOutcome
		var lo, hi sql.NullInt64
		if err := rows.Scan(&id, &o.Benefit, &o.Outcome, &o.Period, &lo, &hi); err != nil {
			return err
		}
		if lo.Valid {
			o.MinCents = &lo.Int64
		}
		if hi.Valid {
			o.MaxCents = &hi.Int64
		}
		if sc := byID[id]; sc != nil {
			sc.Outcomes = append(sc.Outcomes, o)
		}
	}
	return rows.Err()
}

// ScreeningRun is a screener being filled in. State is the caller's JSON
// (the answers so far); CodeHash finds a citizen's run again from the
// code they were given.
type ScreeningRun struct {
	ID             int64
	OrgID          int64
	CodeHash       string
	Questionnaire  string
	Language       string
	Source         string
	ConversationID int64 // 0 on the portal
	UserID         int64 // the operator who started it, if any
	State          string
	ScreeningID    int64 // the result it was recorded as, once done
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ExpiresAt      time.Time
	DoneAt         *time.Time
}

// maxRunState bounds a run's answers so far.
const maxRunState = 256 << 10

func checkRun(r *ScreeningRun) error {
	if !slices.Contains(screenSources, r.Source) {
		return model.Invalid("source", "error.invalid", "unknown screening source", nil)
	}
	if r.CodeHash == "" {
		return errors.New("store: screening run without a code hash")
	}
	if r.Language != "" && !model.ValidLanguage(r.Language) {
		return model.Invalid("language", "error.validation.language", "not a language code", nil)
	}
	return checkJSONText("state", r.State, maxRunState)
}

// CreateScreeningRun stores a new run; its conversation and user, if any,
// must be the organisation's.
func (s *Store) CreateScreeningRun(ctx context.Context, r *ScreeningRun) error {
	if err := checkRun(r); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	r.CreatedAt, r.UpdatedAt, r.DoneAt, r.ScreeningID = now, now, nil, 0
	return s.inTx(ctx, func(tx q) error {
		if r.ConversationID != 0 {
			if err := mustExist(ctx, tx, "conversations", r.OrgID, r.ConversationID, "conversation_id"); err != nil {
				return err
			}
		}
		if r.UserID != 0 {
			if err := mustExist(ctx, tx, "users", r.OrgID, r.UserID, "user_id"); err != nil {
				return err
			}
		}
		return mapError(tx.row(ctx, `INSERT INTO screening_runs (org_id, code_hash, questionnaire, language, source, conversation_id, user_id,
			state, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.OrgID, r.CodeHash, r.Questionnaire, r.Language, r.Source, nullID(r.ConversationID), nullID(r.UserID),
			r.State, ms(now), ms(now), ms(r.ExpiresAt)).Scan(&r.ID))
	})
}

const runColumns = "id, org_id, code_hash, questionnaire, language, source, conversation_id, user_id, state, screening_id, created_at, updated_at, expires_at, done_at"

func scanRun(sc interface{ Scan(...any) error }) (*ScreeningRun, error) {
	var r ScreeningRun
	var conv, user, screening nullInt
	var created, updated, expires int64
	var done sql.NullInt64
	if err := sc.Scan(&r.ID, &r.OrgID, &r.CodeHash, &r.Questionnaire, &r.Language, &r.Source, &conv, &user, &r.State, &screening,
		&created, &updated, &expires, &done); err != nil {
		return nil, err
	}
	r.ConversationID, r.UserID, r.ScreeningID = conv.Int64, user.Int64, screening.Int64
	r.CreatedAt, r.UpdatedAt, r.ExpiresAt, r.DoneAt = fromMS(created), fromMS(updated), fromMS(expires), fromNullMS(done)
	return &r, nil
}

// ScreeningRunByCode finds an unexpired run of the organisation by the
// hash of its code.
func (s *Store) ScreeningRunByCode(ctx context.Context, orgID int64, codeHash string) (*ScreeningRun, error) {
	r, err := scanRun(s.reader().row(ctx, "SELECT "+runColumns+" FROM screening_runs WHERE org_id = ? AND code_hash = ? AND expires_at > ?",
		orgID, codeHash, ms(s.now())))
	return r, notFound(err, "screening_run")
}

// ScreeningRun returns an unexpired run of the organisation.
func (s *Store) ScreeningRun(ctx context.Context, orgID, id int64) (*ScreeningRun, error) {
	r, err := scanRun(s.reader().row(ctx, "SELECT "+runColumns+" FROM screening_runs WHERE org_id = ? AND id = ? AND expires_at > ?",
		orgID, id, ms(s.now())))
	return r, notFound(err, "screening_run")
}

// OpenScreeningRun returns the newest unfinished, unexpired run of a
// conversation from source; userID, when not 0, keeps only that user's.
func (s *Store) OpenScreeningRun(ctx context.Context, orgID, conversationID int64, source string, userID int64) (*ScreeningRun, error) {
	query := "SELECT " + runColumns + " FROM screening_runs WHERE org_id = ? AND conversation_id = ? AND source = ? AND done_at IS NULL AND expires_at > ?"
	args := []any{orgID, conversationID, source, ms(s.now())}
	if userID != 0 {
		query += " AND user_id = ?"
		args = append(args, userID)
	}
	r, err := scanRun(s.reader().row(ctx, query+" ORDER BY id DESC LIMIT 1", args...))
	return r, notFound(err, "screening_run")
}

// UpdateScreeningRun saves a run's state, language and expiry.
func (s *Store) UpdateScreeningRun(ctx context.Context, r *ScreeningRun) error {
	if err := checkRun(r); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "UPDATE screening_runs SET state = ?, language = ?, expires_at = ?, updated_at = ? WHERE org_id = ? AND id = ? AND done_at IS NULL",
			r.State, r.Language, ms(r.ExpiresAt), ms(now), r.OrgID, r.ID)
		if err := mustAffect(res, err)("screening_run"); err != nil {
			return err
		}
		r.UpdatedAt = now
		return nil
	})
}

// CloseScreeningRun ends a run without a recorded result (given up, or
// started again).
func (s *Store) CloseScreeningRun(ctx context.Context, orgID, id int64) error {
	now := ms(s.now())
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "UPDATE screening_runs SET done_at = ?, updated_at = ? WHERE org_id = ? AND id = ? AND done_at IS NULL", now, now, orgID, id)
		return mustAffect(res, err)("screening_run")
	})
}

// DeleteExpiredScreeningRuns forgets runs past their expiry, answers and
// all: they may hold sensitive answers nobody will come back for.
func (s *Store) DeleteExpiredScreeningRuns(ctx context.Context) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "DELETE FROM screening_runs WHERE expires_at <= ?", ms(s.now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Statuses of an application.
const (
	ApplicationStarted   = "started"
	ApplicationSubmitted = "submitted"
	ApplicationGranted   = "granted"
	ApplicationRefused   = "refused"
)

// ApplicationStatuses lists them in their usual order.
var ApplicationStatuses = []string{ApplicationStarted, ApplicationSubmitted, ApplicationGranted, ApplicationRefused}

// BenefitApplication follows an application for one benefit of a result:
// the documents to gather, ticked off, and where it stands.
type BenefitApplication struct {
	ID             int64
	OrgID          int64
	ConversationID int64
	ScreeningID    int64
	Benefit        string
	BenefitName    string
	Status         string
	Checklist      []ChecklistItem
	CreatedBy      int64
	UpdatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ChecklistItem is one document to gather.
type ChecklistItem struct {
	Text string `json:"text"`
	Done bool   `json:"done"`
}

// Limits of an application's checklist.
const (
	MaxChecklistItems = 50
	MaxChecklistText  = 500
)

func checkApplication(a *BenefitApplication) error {
	if !slices.Contains(ApplicationStatuses, a.Status) {
		return model.Invalid("status", "error.screener.application_status", "unknown application status",
			map[string]any{"Value": a.Status})
	}
	if err := model.CheckText("benefit", a.Benefit, true, 100); err != nil {
		return err
	}
	if err := model.CheckText("benefit_name", a.BenefitName, false, 300); err != nil {
		return err
	}
	if len(a.Checklist) > MaxChecklistItems {
		return model.Invalid("checklist", "error.validation.too_many", "too many documents", map[string]any{"Field": "checklist", "Limit": MaxChecklistItems})
	}
	for _, it := range a.Checklist {
		if err := model.CheckText("checklist", it.Text, true, MaxChecklistText); err != nil {
			return err
		}
	}
	return nil
}

// CreateApplication starts following an application for a benefit of a
// result of the organisation; its conversation is the result's. A second
// one for the same benefit of the same result is a conflict.
func (s *Store) CreateApplication(ctx context.Context, a *BenefitApplication) error {
	if a.Status == "" {
		a.Status = ApplicationStarted
	}
	if err := checkApplication(a); err != nil {
		return err
	}
	checklist, err := json.Marshal(nonNil(a.Checklist))
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	a.CreatedAt, a.UpdatedAt, a.UpdatedBy = now, now, a.CreatedBy
	return s.inTx(ctx, func(tx q) error {
		if err := tx.row(ctx, "SELECT conversation_id FROM screenings WHERE org_id = ? AND id = ?", a.OrgID, a.ScreeningID).
			Scan(&a.ConversationID); err != nil {
			return notFound(err, "screening")
		}
		if a.CreatedBy != 0 {
			if err := mustExist(ctx, tx, "users", a.OrgID, a.CreatedBy, "created_by"); err != nil {
				return err
			}
		}
		return mapError(tx.row(ctx, `INSERT INTO benefit_applications (org_id, conversation_id, screening_id, benefit, benefit_name, status,
			checklist, created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.OrgID, a.ConversationID, a.ScreeningID, a.Benefit, a.BenefitName, a.Status, string(checklist),
			nullID(a.CreatedBy), nullID(a.UpdatedBy), ms(now), ms(now)).Scan(&a.ID))
	})
}

func nonNil(items []ChecklistItem) []ChecklistItem {
	if items == nil {
		return []ChecklistItem{}
	}
	return items
}

// UpdateApplication saves an application's status and checklist.
func (s *Store) UpdateApplication(ctx context.Context, a *BenefitApplication) error {
	if err := checkApplication(a); err != nil {
		return err
	}
	checklist, err := json.Marshal(nonNil(a.Checklist))
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "UPDATE benefit_applications SET status = ?, checklist = ?, updated_by = ?, updated_at = ? WHERE org_id = ? AND id = ?",
			a.Status, string(checklist), nullID(a.UpdatedBy), ms(now), a.OrgID, a.ID)
		if err := mustAffect(res, err)("application"); err != nil {
			return err
		}
		a.UpdatedAt = now
		return nil
	})
}

const applicationColumns = "id, org_id, conversation_id, screening_id, benefit, benefit_name, status, checklist, created_by, updated_by, created_at, updated_at"

func scanApplication(sc interface{ Scan(...any) error }) (*BenefitApplication, error) {
	var a BenefitApplication
	var checklist string
	var by, upd nullInt
	var created, updated int64
	if err := sc.Scan(&a.ID, &a.OrgID, &a.ConversationID, &a.ScreeningID, &a.Benefit, &a.BenefitName, &a.Status, &checklist,
		&by, &upd, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(checklist), &a.Checklist); err != nil {
		return nil, err
	}
	a.CreatedBy, a.UpdatedBy, a.CreatedAt, a.UpdatedAt = by.Int64, upd.Int64, fromMS(created), fromMS(updated)
	return &a, nil
}

// Application returns one application of the organisation.
func (s *Store) Application(ctx context.Context, orgID, id int64) (*BenefitApplication, error) {
	a, err := scanApplication(s.reader().row(ctx, "SELECT "+applicationColumns+" FROM benefit_applications WHERE org_id = ? AND id = ?", orgID, id))
	return a, notFound(err, "application")
}

// Applications lists the applications followed on a conversation, oldest
// first.
func (s *Store) Applications(ctx context.Context, orgID, conversationID int64) ([]*BenefitApplication, error) {
	rows, err := s.reader().query(ctx, "SELECT "+applicationColumns+" FROM benefit_applications WHERE org_id = ? AND conversation_id = ? ORDER BY id",
		orgID, conversationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*BenefitApplication{}
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// EligibilityOverlay is an organisation's changes to a built-in
// questionnaire (Base), as the JSON document the desk reads. Revision
// counts the saves.
type EligibilityOverlay struct {
	OrgID     int64
	Base      string
	Document  string
	Revision  int64
	UpdatedBy int64
	UpdatedAt time.Time
}

// MaxOverlay bounds an overlay document.
const MaxOverlay = 1 << 20

// ErrStaleOverlay is a save over a revision that is no longer the latest:
// someone else saved in between.
var ErrStaleOverlay = &model.Error{Code: model.CodeConflict, Key: "error.screener.stale",
	Message: "the screener's rules were changed meanwhile; reload the page and make the change again"}

// EligibilityOverlay returns the organisation's overlay; an organisation
// that never saved one gets a not-found error.
func (s *Store) EligibilityOverlay(ctx context.Context, orgID int64) (*EligibilityOverlay, error) {
	var ov EligibilityOverlay
	var by nullInt
	var updated int64
	err := s.reader().row(ctx, "SELECT org_id, base, document, revision, updated_by, updated_at FROM eligibility_overlays WHERE org_id = ?", orgID).
		Scan(&ov.OrgID, &ov.Base, &ov.Document, &ov.Revision, &by, &updated)
	if err != nil {
		return nil, notFound(err, "eligibility_overlay")
	}
	ov.UpdatedBy, ov.UpdatedAt = by.Int64, fromMS(updated)
	return &ov, nil
}

// SaveEligibilityOverlay replaces the organisation's overlay, provided the
// one stored is still at revision (0: none yet); ov.Revision becomes the
// next one.
func (s *Store) SaveEligibilityOverlay(ctx context.Context, ov *EligibilityOverlay, revision int64) error {
	if err := checkJSONText("document", ov.Document, MaxOverlay); err != nil {
		return err
	}
	if err := model.CheckText("base", ov.Base, true, 100); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		if ov.UpdatedBy != 0 {
			if err := mustExist(ctx, tx, "users", ov.OrgID, ov.UpdatedBy, "updated_by"); err != nil {
				return err
			}
		}
		if revision == 0 {
			_, err := tx.exec(ctx, `INSERT INTO eligibility_overlays (org_id, base, document, revision, updated_by, updated_at)
				VALUES (?, ?, ?, 1, ?, ?)`, ov.OrgID, ov.Base, ov.Document, nullID(ov.UpdatedBy), ms(now))
			if model.ErrorIs(err, model.CodeConflict) {
				return ErrStaleOverlay
			}
			if err != nil {
				return err
			}
		} else {
			res, err := tx.exec(ctx, `UPDATE eligibility_overlays SET base = ?, document = ?, revision = revision + 1, updated_by = ?, updated_at = ?
				WHERE org_id = ? AND revision = ?`, ov.Base, ov.Document, nullID(ov.UpdatedBy), ms(now), ov.OrgID, revision)
			if err := mustAffect(res, err)("eligibility_overlay"); err != nil {
				if errors.Is(err, model.ErrNotFound) {
					return ErrStaleOverlay
				}
				return err
			}
		}
		ov.Revision, ov.UpdatedAt = revision+1, now
		return nil
	})
}
