package desk

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// The screener as a guided conversation. It lives here, behind Receive,
// so that every channel gets it: the web chat today, WhatsApp or Telegram
// when their adapters call Receive. Questions go out as ordinary replies
// whose body lists the possible answers, numbered, for channels without
// buttons (SMS, e-mail, a page without JavaScript), and whose
// QuickReplies carry the same answers for channels with buttons: the web
// chat shows them; a WhatsApp adapter would turn up to three into reply
// buttons and up to ten into a list, a Telegram adapter into a reply
// keyboard. Whatever comes back is read as text (a label, its number, a
// number, a date), so a channel needs nothing more than Receive.
//
// An operator starts it from a case (StartChatScreening), or the citizen
// writes one of chatCommands. While it runs, each message of the citizen
// is read as the answer to the question waiting (RunState.Pending); one
// that does not fit gets the question again. "stop" ends it. When nothing
// is left to ask, the result is recorded on the case and summed up in the
// chat.

// chatCommands start the screener when a citizen writes one of them.
var chatCommands = []string{"/screener", "/benefici", "/benefits", "/aides", "/ayudas", "/مساعدات"}

// stopWords end a run, besides the catalog's screenchat.stop_word.
var stopWords = []string{"stop", "/stop", "basta", "esci", "arrêter", "arreter", "parar", "salir", "توقف", "إيقاف"}

// Words read as yes or no, besides the labels of the run's language and
// the options' numbers.
var (
	yesWords = []string{"yes", "y", "si", "sì", "sí", "s", "oui", "ok", "نعم", "ايوه", "أجل"}
	noWords  = []string{"no", "n", "non", "لا", "كلا"}
)

// household parts asked one by one in a chat, and how.
var (
	householdParts = []string{"size", "minors", "over_60", "disabled"}
	householdAsk   = map[string]string{"size": "screenchat.household_size", "minors": "screenchat.household_minors",
		"over_60": "screenchat.household_over_60", "disabled": "screenchat.household_disabled"}
)

// StartChatScreening starts the screener in a conversation's chat, in the
// conversation's language: its first question goes to the citizen. A run
// already going on there is replaced.
func (d *Service) StartChatScreening(ctx context.Context, a *Actor, conversationID int64) error {
	if !a.Can(model.PermConversationsReply) {
		return errForbidden
	}
	c, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return err
	}
	return d.startChat(ctx, c, a.User.ID)
}

func (d *Service) startChat(ctx context.Context, c *model.Conversation, userID int64) error {
	old, err := d.OpenRun(ctx, c.OrgID, c.ID, store.ScreenChat, 0)
	switch {
	case err == nil:
		if err := d.st.CloseScreeningRun(ctx, c.OrgID, old.ID); err != nil {
			return err
		}
	case !errors.Is(err, model.ErrNotFound):
		return err
	}
	lang := c.Language
	if lang == "" {
		if o, err := d.st.Organization(ctx, c.OrgID); err == nil {
			lang = o.Language
		}
	}
	r, _, err := d.StartRun(ctx, c.OrgID, store.ScreenChat, lang, c.ID, userID)
	if err != nil {
		return err
	}
	pr, err := d.printer(r.Language)
	if err != nil {
		return err
	}
	if err := d.botSay(ctx, c.OrgID, c.ID, pr.T("screenchat.intro", nil), nil); err != nil {
		return err
	}
	return d.chatNext(ctx, r, "")
}

func (d *Service) printer(lang string) (*locale.Printer, error) {
	b, err := d.screen.bundle()
	if err != nil {
		return nil, err
	}
	return b.Printer(lang), nil
}

// botSay sends a reply of the desk itself (no author) and announces it.
func (d *Service) botSay(ctx context.Context, orgID, conversationID int64, body string, replies []string) error {
	m := &model.Message{Direction: model.DirectionOutbound, Body: body, QuickReplies: replies}
	if err := d.st.AddMessage(ctx, orgID, conversationID, m); err != nil {
		return err
	}
	d.publishMessage(m, false)
	return nil
}

// afterInbound runs the chat flow for a citizen's message that was just
// stored. It never fails the message: a problem is logged.
func (d *Service) afterInbound(ctx context.Context, in store.Inbound, res store.InboundResult) {
	body := strings.TrimSpace(in.Body)
	if body == "" {
		return
	}
	r, err := d.OpenRun(ctx, in.OrgID, res.ConversationID, store.ScreenChat, 0)
	switch {
	case err == nil:
		err = d.chatAnswer(ctx, r, body)
	case errors.Is(err, model.ErrNotFound) && isCommand(body):
		var c *model.Conversation
		if c, err = d.st.Conversation(ctx, in.OrgID, res.ConversationID); err == nil {
			err = d.startChat(ctx, c, 0)
		}
	case errors.Is(err, model.ErrNotFound):
		err = nil
	}
	if err != nil {
		d.log.Warn("screener chat", "conversation", res.ConversationID, "err", err)
	}
}

func isCommand(body string) bool {
	return slices.Contains(chatCommands, strings.ToLower(strings.TrimSpace(body)))
}

// chatNext asks the next question of r, after an optional sentence (why
// the last answer was not taken), or ends the run with its result.
func (d *Service) chatNext(ctx context.Context, r *Run, before string) error {
	q, err := d.Screener(ctx, r.OrgID)
	if err != nil {
		return err
	}
	pr, err := d.printer(r.Language)
	if err != nil {
		return err
	}
	on := d.Today(ctx, r.OrgID)
	id := r.State.Pending
	if id == "" {
		next, err := eligibility.NextQuestions(q, r.State.Answers, on)
		if err != nil {
			return err
		}
		next = slices.DeleteFunc(next, func(qu *eligibility.Question) bool { return slices.Contains(r.State.Skipped, qu.ID) })
		if len(next) == 0 {
			return d.chatFinish(ctx, q, r, pr, before)
		}
		id = next[0].ID
		if next[0].Type == eligibility.Household {
			id += "." + householdParts[0]
			r.State.Household = map[string]any{}
		}
		r.State.Pending = id
		if err := d.SaveRun(ctx, r); err != nil {
			return err
		}
	}
	body, replies, err := d.chatQuestion(q, pr, id, on)
	if err != nil {
		return err
	}
	if before != "" {
		body = before + "\n\n" + body
	}
	return d.botSay(ctx, r.OrgID, r.ConversationID, body, replies)
}

// chatQuestion writes question id (or a part of the household,
// "household.minors") as a message: its text, the possible answers
// numbered, and the same answers as quick replies.
func (d *Service) chatQuestion(q *eligibility.Questionnaire, pr *locale.Printer, id string, on time.Time) (string, []string, error) {
	qid, part, _ := strings.Cut(id, ".")
	p, err := eligibility.PromptFor(q, qid, on, pr.Lang())
	if err != nil {
		return "", nil, err
	}
	dontKnow := pr.T("screen.dont_know", nil)
	var b strings.Builder
	var labels []string
	switch {
	case part != "":
		if part == householdParts[0] {
			b.WriteString(p.Text + "\n")
		}
		b.WriteString(pr.T(householdAsk[part], nil))
		b.WriteString("\n\n" + pr.T("screenchat.number_hint", nil))
		from := 0
		if part == "size" {
			from = 1
		}
		for n := from; n < from+6; n++ {
			labels = append(labels, strconv.Itoa(n))
		}
		labels = append(labels, dontKnow)
		return b.String(), labels, nil
	case p.Type == eligibility.YesNo:
		labels = []string{pr.T("screen.yes", nil), pr.T("screen.no", nil)}
	case p.Type == eligibility.Choice:
		for _, o := range p.Options {
			labels = append(labels, o.Text)
		}
	}
	b.WriteString(p.Text)
	if p.Help != "" {
		b.WriteString("\n" + p.Help)
	}
	if labels != nil {
		labels = append(labels, dontKnow)
		b.WriteString("\n")
		for i, l := range labels {
			b.WriteString("\n" + strconv.Itoa(i+1) + ". " + l)
		}
		b.WriteString("\n\n" + pr.T("screenchat.options_hint", nil))
		return b.String(), quickReplies(labels), nil
	}
	if p.Type == eligibility.Date {
		b.WriteString("\n\n" + pr.T("screenchat.date_hint", nil))
	} else {
		b.WriteString("\n\n" + pr.T("screenchat.number_hint", nil))
	}
	return b.String(), []string{dontKnow}, nil
}

// quickReplies fits labels to what channels show: at most
// store.MaxQuickReplies, the last one (I don't know) kept, each cut to
// store.MaxQuickReplyLen. A cut label still matches its option.
func quickReplies(labels []string) []string {
	out := slices.Clone(labels)
	if len(out) > store.MaxQuickReplies {
		out = append(out[:store.MaxQuickReplies-1], out[len(out)-1])
	}
	for i, l := range out {
		if utf8.RuneCountInString(l) > store.MaxQuickReplyLen {
			out[i] = string([]rune(l)[:store.MaxQuickReplyLen-1]) + "…"
		}
	}
	return out
}

// chatAnswer reads body as the answer to the question r waits on.
func (d *Service) chatAnswer(ctx context.Context, r *Run, body string) error {
	pr, err := d.printer(r.Language)
	if err != nil {
		return err
	}
	text := clean(body)
	if slices.Contains(stopWords, text) || text == clean(pr.T("screenchat.stop_word", nil)) {
		if err := d.st.CloseScreeningRun(ctx, r.OrgID, r.ID); err != nil {
			return err
		}
		return d.botSay(ctx, r.OrgID, r.ConversationID, pr.T("screenchat.stopped", nil), nil)
	}
	if r.State.Pending == "" {
		return d.chatNext(ctx, r, "")
	}
	q, err := d.Screener(ctx, r.OrgID)
	if err != nil {
		return err
	}
	on := d.Today(ctx, r.OrgID)
	qid, part, _ := strings.Cut(r.State.Pending, ".")
	if _, ok := q.Question(qid); !ok { // the rules changed under the run
		r.State.Pending = ""
		return d.chatNext(ctx, r, "")
	}
	p, err := eligibility.PromptFor(q, qid, on, r.Language)
	if err != nil {
		return err
	}
	if text == clean(pr.T("screen.dont_know", nil)) || text == "?" || chosen(text, nil, dontKnowNumber(p, part)) {
		r.State.Pending, r.State.Household = "", nil
		if !slices.Contains(r.State.Skipped, qid) {
			r.State.Skipped = append(r.State.Skipped, qid)
		}
		if err := d.SaveRun(ctx, r); err != nil {
			return err
		}
		return d.chatNext(ctx, r, "")
	}
	v, ok := readAnswer(pr, p, part, text, body)
	if !ok {
		return d.chatNext(ctx, r, pr.T("screenchat.not_understood", nil))
	}
	answers := maps.Clone(r.State.Answers)
	if part != "" {
		hh := maps.Clone(r.State.Household)
		if hh == nil {
			hh = map[string]any{}
		}
		hh[part] = v
		if i := slices.Index(householdParts, part); i+1 < len(householdParts) && !(part == "size" && v == 1.0) {
			r.State.Household, r.State.Pending = hh, qid+"."+householdParts[i+1]
			return d.chatSaveAndAsk(ctx, r)
		}
		v = hh
	}
	answers[qid] = v
	if _, err := eligibility.NextQuestions(q, answers, on); err != nil {
		if !model.ErrorIs(err, model.CodeInvalid) {
			return err
		}
		if part != "" { // ask the household again from the start
			r.State.Household, r.State.Pending = map[string]any{}, qid+"."+householdParts[0]
			if err := d.SaveRun(ctx, r); err != nil {
				return err
			}
		}
		return d.chatNext(ctx, r, pr.Error(err))
	}
	r.State.Answers, r.State.Pending, r.State.Household = answers, "", nil
	r.State.Skipped = slices.DeleteFunc(r.State.Skipped, func(s string) bool { return s == qid })
	r.State.Pages = append(r.State.Pages, []string{qid})
	return d.chatSaveAndAsk(ctx, r)
}

func (d *Service) chatSaveAndAsk(ctx context.Context, r *Run) error {
	if err := d.SaveRun(ctx, r); err != nil {
		return err
	}
	return d.chatNext(ctx, r, "")
}

// clean folds an answer for comparison: lower case, without the spaces
// and punctuation around it.
func clean(s string) string {
	return strings.ToLower(strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '?' && r != '/' }))
}

// dontKnowNumber is the number of "I don't know" in the list the question
// showed: after its options, or after yes and no.
func dontKnowNumber(p eligibility.Prompt, part string) int {
	switch {
	case part != "":
		return 0
	case p.Type == eligibility.YesNo:
		return 3
	case p.Type == eligibility.Choice:
		return len(p.Options) + 1
	}
	return 0
}

// chosen reports whether text picks option n (counting from 1) of
// labels: its number, its label, or the start of a label a channel cut.
func chosen(text string, labels []string, n int) bool {
	if n <= 0 {
		return false
	}
	if k, err := strconv.Atoi(text); err == nil {
		return k == n
	}
	if n > len(labels) {
		return false
	}
	l := clean(labels[n-1])
	if text == l {
		return true
	}
	cut := strings.TrimSuffix(text, "…")
	return cut != text && utf8.RuneCountInString(cut) >= 8 && strings.HasPrefix(l, cut)
}

// readAnswer reads text as an answer to p (part of the household when
// part is set); raw is the message as written, for dates and numbers.
func readAnswer(pr *locale.Printer, p eligibility.Prompt, part, text, raw string) (any, bool) {
	if part != "" {
		f, ok := eligibility.ParseNumber(raw, pr.Lang())
		if !ok || f != math.Trunc(f) {
			return nil, false
		}
		return f, true
	}
	switch p.Type {
	case eligibility.YesNo:
		yes, no := clean(pr.T("screen.yes", nil)), clean(pr.T("screen.no", nil))
		switch {
		case text == yes || text == "1" || slices.Contains(yesWords, text):
			return true, true
		case text == no || text == "2" || slices.Contains(noWords, text):
			return false, true
		}
		return nil, false
	case eligibility.Choice:
		labels := make([]string, len(p.Options))
		for i, o := range p.Options {
			labels[i] = o.Text
		}
		for i, o := range p.Options {
			if chosen(text, labels, i+1) || text == strings.ToLower(o.Value) {
				return o.Value, true
			}
		}
		return nil, false
	case eligibility.Date:
		return eligibility.ParseDate(raw)
	}
	f, ok := eligibility.ParseNumber(raw, pr.Lang())
	if !ok {
		return nil, false
	}
	return f, true
}

// chatFinish records the run's result on the case and sums it up for the
// citizen in their language.
func (d *Service) chatFinish(ctx context.Context, q *eligibility.Questionnaire, r *Run, pr *locale.Printer, before string) error {
	on := d.Today(ctx, r.OrgID)
	res, err := eligibility.Evaluate(q, r.State.Answers, on, r.Language)
	if err != nil {
		return err
	}
	if _, _, err := d.recordScreening(ctx, r.OrgID, r.ConversationID, r.UserID, NewScreening{
		Answers: r.State.Answers, Source: store.ScreenChat, RunID: r.ID,
	}); err != nil {
		return err
	}
	var b strings.Builder
	if before != "" {
		b.WriteString(before + "\n\n")
	}
	b.WriteString(pr.T("screenchat.result_intro", nil))
	var unlikely []string
	for _, br := range res.Benefits {
		switch br.Outcome {
		case eligibility.LikelyEligible:
			b.WriteString("\n✓ " + pr.T("screenchat.likely", map[string]any{"Name": br.Name}))
			if br.Amount != nil {
				b.WriteString(" — " + br.Amount.Text)
			}
		case eligibility.NeedMoreInfo:
			b.WriteString("\n? " + pr.T("screenchat.maybe", map[string]any{"Name": br.Name}))
		default:
			unlikely = append(unlikely, br.Name)
		}
	}
	if len(unlikely) > 0 {
		b.WriteString("\n✗ " + pr.T("screenchat.unlikely", map[string]any{"Names": strings.Join(unlikely, ", ")}))
	}
	b.WriteString("\n\n" + res.Notice + "\n\n" + pr.T("screenchat.result_outro", nil))
	return d.botSay(ctx, r.OrgID, r.ConversationID, b.String(), nil)
}
