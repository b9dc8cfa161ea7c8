package desk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// RunTTL is how long a screener left half-way is kept: a citizen may come
// back with their code within it. Every answer renews it.
const RunTTL = 30 * 24 * time.Hour

// Run is a screener being filled in, with its state decoded.
type Run struct {
	*store.ScreeningRun
	State RunState
}

// RunState is what a run has gathered. Answers are checked by the engine
// before they are kept; Pages are the questions answered together, in
// order, so that "back" shows them again.
type RunState struct {
	Answers eligibility.Answers `json:"answers"`
	Skipped []string            `json:"skipped,omitempty"` // "I don't know": not asked again
	Pages   [][]string          `json:"pages,omitempty"`
	// Draft keeps the answers of pages undone by going back and changing
	// an earlier answer, to fill in the form if they are asked again.
	Draft eligibility.Answers `json:"draft,omitempty"`
	// Pending is the question a chat is waiting on ("household.size" for
	// one part of the household); Household gathers its parts.
	Pending   string         `json:"pending,omitempty"`
	Household map[string]any `json:"household,omitempty"`
}

// The alphabet of resume codes: no 0/O, 1/I/L, so that a code read out or
// copied by hand survives.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// codeLen gives about 39 bits: guessing is slowed by the portal's limit on
// attempts, and a run expires.
const codeLen = 8

func newCode() string {
	var b [codeLen]byte
	rand.Read(b[:])
	out := make([]byte, codeLen)
	for i, c := range b {
		out[i] = codeAlphabet[int(c)%len(codeAlphabet)]
	}
	return string(out)
}

// FormatCode writes a code as people read it: "K7QF-M3XP".
func FormatCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeCode reads a code as typed: any case, with spaces or dashes.
// It returns "" for something that cannot be a code.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '.':
		case r < 128 && strings.ContainsRune(codeAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != codeLen {
		return ""
	}
	return b.String()
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte("screening-run:" + code))
	return hex.EncodeToString(sum[:])
}

// Screener languages a run may speak: the built-in questionnaire's.
func (d *Service) runLanguage(q *eligibility.Questionnaire, lang string) string {
	if slices.Contains(q.Languages, lang) {
		return lang
	}
	if base, _, ok := strings.Cut(lang, "-"); ok && slices.Contains(q.Languages, base) {
		return base
	}
	return "it"
}

// StartRun begins a screener for the organisation. source says where
// (store.ScreenPortal, ScreenConsole, ScreenChat); conversationID and
// userID tie it to a case and an operator when there are. It returns the
// run and its resume code, which only the person it is given to knows.
func (d *Service) StartRun(ctx context.Context, orgID int64, source, lang string, conversationID, userID int64) (*Run, string, error) {
	q, err := d.Screener(ctx, orgID)
	if err != nil {
		return nil, "", err
	}
	code := newCode()
	r := &Run{ScreeningRun: &store.ScreeningRun{
		OrgID: orgID, CodeHash: hashCode(code), Questionnaire: q.ID, Language: d.runLanguage(q, lang), Source: source,
		ConversationID: conversationID, UserID: userID, ExpiresAt: d.now().Add(RunTTL),
	}, State: RunState{Answers: eligibility.Answers{}}}
	if err := r.State.encode(r.ScreeningRun); err != nil {
		return nil, "", err
	}
	if err := d.st.CreateScreeningRun(ctx, r.ScreeningRun); err != nil {
		return nil, "", err
	}
	return r, code, nil
}

func (st RunState) encode(r *store.ScreeningRun) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	r.State = string(data)
	return nil
}

func decodeRun(sr *store.ScreeningRun) (*Run, error) {
	r := &Run{ScreeningRun: sr}
	if err := json.Unmarshal([]byte(sr.State), &r.State); err != nil {
		return nil, err
	}
	if r.State.Answers == nil {
		r.State.Answers = eligibility.Answers{}
	}
	return r, nil
}

// RunByCode finds the organisation's run a citizen's code belongs to. A
// wrong or expired code is not found.
func (d *Service) RunByCode(ctx context.Context, orgID int64, code string) (*Run, error) {
	code = NormalizeCode(code)
	if code == "" {
		return nil, model.NotFound("screening_run")
	}
	sr, err := d.st.ScreeningRunByCode(ctx, orgID, hashCode(code))
	if err != nil {
		return nil, err
	}
	return decodeRun(sr)
}

// OpenRun returns the newest unfinished run of a conversation from
// source (and userID's only, when not 0).
func (d *Service) OpenRun(ctx context.Context, orgID, conversationID int64, source string, userID int64) (*Run, error) {
	sr, err := d.st.OpenScreeningRun(ctx, orgID, conversationID, source, userID)
	if err != nil {
		return nil, err
	}
	return decodeRun(sr)
}

// SaveRun keeps a run's state and renews its expiry.
func (d *Service) SaveRun(ctx context.Context, r *Run) error {
	if err := r.State.encode(r.ScreeningRun); err != nil {
		return err
	}
	r.ExpiresAt = d.now().Add(RunTTL)
	return d.st.UpdateScreeningRun(ctx, r.ScreeningRun)
}

// Page is what a screener's form shows: some questions, their answers so
// far, and how far the person has come.
type Page struct {
	// Index is the page's place in the run's pages: len(State.Pages) for
	// a new page, less for one the person went back to.
	Index     int
	Questions []eligibility.Prompt
	Values    eligibility.Answers // to fill the form with
	Skipped   map[string]bool
	Done      bool // nothing left worth asking: show the result
	Answered  int  // questions answered or skipped so far
	Left      int  // questions still worth asking, as things stand
}

// NextPage returns page index of the run (a page gone back to), or, for
// index ≥ len(Pages), the next questions worth asking: the first the
// engine lists and, after it, up to size in all, stopping before a
// household or sensitive question, which is asked alone.
func (d *Service) NextPage(q *eligibility.Questionnaire, r *Run, index, size int, on time.Time, lang string) (Page, error) {
	st := &r.State
	pg := Page{Index: len(st.Pages), Values: eligibility.Answers{}, Skipped: map[string]bool{}}
	for _, ids := range st.Pages {
		pg.Answered += len(ids)
	}
	next, err := eligibility.NextQuestions(q, st.Answers, on)
	if err != nil {
		return pg, err
	}
	next = slices.DeleteFunc(next, func(qu *eligibility.Question) bool { return slices.Contains(st.Skipped, qu.ID) })
	pg.Left = len(next)
	var ids []string
	if index >= 0 && index < len(st.Pages) {
		pg.Index, ids = index, st.Pages[index]
	} else {
		if len(next) == 0 {
			pg.Done = true
			return pg, nil
		}
		for i, qu := range next {
			alone := qu.Type == eligibility.Household || qu.Sensitive
			if i > 0 && (alone || len(ids) >= max(size, 1)) {
				break
			}
			ids = append(ids, qu.ID)
			if alone {
				break
			}
		}
	}
	for _, id := range ids {
		p, err := eligibility.PromptFor(q, id, on, lang)
		if err != nil {
			return pg, err
		}
		pg.Questions = append(pg.Questions, p)
		switch {
		case st.Answers[id] != nil:
			pg.Values[id] = st.Answers[id]
		case st.Draft[id] != nil:
			pg.Values[id] = st.Draft[id]
		}
		pg.Skipped[id] = slices.Contains(st.Skipped, id)
	}
	return pg, nil
}

// Answer keeps the answers to page index of the run: ids are the page's
// questions, answers their answers and skipped those the person does not
// know. The engine checks them all together on the date on; an impossible
// answer is its *model.Error naming the question, and nothing is kept.
// Going back and answering an earlier page again forgets the pages after
// it (their answers wait in the draft), since the questions that follow
// may change.
func (d *Service) Answer(q *eligibility.Questionnaire, r *Run, index int, ids []string, answers eligibility.Answers, skipped []string, on time.Time) error {
	st := r.State
	next := RunState{Answers: maps.Clone(st.Answers), Skipped: slices.Clone(st.Skipped), Draft: maps.Clone(st.Draft),
		Pending: st.Pending, Household: st.Household}
	if next.Draft == nil {
		next.Draft = eligibility.Answers{}
	}
	if index < 0 || index > len(st.Pages) {
		index = len(st.Pages)
	}
	next.Pages = slices.Clone(st.Pages[:index])
	for _, later := range st.Pages[index:] {
		for _, id := range later {
			if v := next.Answers[id]; v != nil {
				next.Draft[id] = v
			}
			delete(next.Answers, id)
			next.Skipped = slices.DeleteFunc(next.Skipped, func(s string) bool { return s == id })
		}
	}
	for _, id := range ids {
		if _, ok := q.Question(id); !ok {
			return model.Invalid(id, "error.eligibility.unknown_question", "no question "+id, map[string]any{"Question": id, "Value": id})
		}
		delete(next.Draft, id)
		if slices.Contains(skipped, id) {
			delete(next.Answers, id)
			if !slices.Contains(next.Skipped, id) {
				next.Skipped = append(next.Skipped, id)
			}
			continue
		}
		next.Skipped = slices.DeleteFunc(next.Skipped, func(s string) bool { return s == id })
		if v := answers[id]; v != nil {
			next.Answers[id] = v
		}
	}
	if _, err := eligibility.NextQuestions(q, next.Answers, on); err != nil {
		return err
	}
	next.Pages = append(next.Pages, slices.Clone(ids))
	if len(next.Draft) == 0 {
		next.Draft = nil
	}
	r.State = next
	return nil
}

// QuestionOf is the question an engine error is about: its Field is a
// question id, or "household.size" for a part of one.
func QuestionOf(err error) string {
	e, ok := model.AsError(err)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(e.Field, ".")
	return id
}
