package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// Referrals in the console: the form that refers a case, and the lists
// of referrals sent and received, with the partner's answers.

type referralsPage struct {
	*page
	Sent, Received []referralRow
	Conversation   int64
	// The form.
	Action       string
	Partner      string
	PartnerEmail string
	ServiceID    string
	Reason       string
	Summary      string
	Share        map[string]bool
	Consent      bool
	DueDays      string
	Errors       map[string]string
	Link         string // an outside partner's link, shown once
	Email        string // the e-mail to send it with
	EmailSubject string
}

type referralRow struct {
	*store.Referral
	Overdue     bool
	AnswerURL   string
	Choices     []option
	Partner     string
	CaseURL     string
	StatusLabel string
	History     []eventRow
}

// eventRow is one change of a referral, its status in words.
type eventRow struct {
	store.ReferralEvent
	Label string
}

func referralRowOf(p *locale.Printer, r *store.Referral, received bool, now time.Time) referralRow {
	row := referralRow{Referral: r, Overdue: r.Overdue(now), Partner: r.PartnerName, StatusLabel: p.T(statusKey(r.Status), nil)}
	for _, e := range r.Events {
		row.History = append(row.History, eventRow{ReferralEvent: e, Label: p.T(statusKey(e.Status), nil)})
	}
	if row.Partner == "" {
		row.Partner = r.PartnerEmail
	}
	id := strconv.FormatInt(r.ID, 10)
	if received {
		row.AnswerURL = "/referrals/" + id + "/received"
		switch r.Status {
		case store.ReferralSent:
			row.Choices = choices(p, store.ReferralAccepted, store.ReferralDeclined)
		case store.ReferralAccepted:
			row.Choices = choices(p, store.ReferralCompleted, store.ReferralDeclined)
		}
	} else {
		row.AnswerURL = "/referrals/" + id + "/sent"
		row.CaseURL = conversationURL(r.ConversationID)
		if r.Open() {
			row.Choices = choices(p, store.ReferralWithdrawn)
		}
	}
	return row
}

func statusKey(s string) string { return "referral.status_" + s }

func actionKey(s string) string { return "referral.action_" + s }

// choices are the buttons that set statuses.
func choices(p *locale.Printer, statuses ...string) []option {
	out := make([]option, 0, len(statuses))
	for _, s := range statuses {
		out = append(out, option{Value: s, Label: p.T(actionKey(s), nil)})
	}
	return out
}

// referralsList shows the referrals sent and received.
func (c *Console) referralsList(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	pg := c.newPage(r, selfURL(r), "referral.title")
	pg.Nav = "referrals"
	if r.URL.Query().Get("ok") != "" {
		pg.Notice = pg.p.T("referral.saved", nil)
	}
	data := referralsPage{page: pg, Conversation: conversationParam(r)}
	now := time.Now()
	sent, err := c.desk.Referrals(r.Context(), a, store.ReferralFilter{ConversationID: data.Conversation})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, x := range sent {
		data.Sent = append(data.Sent, referralRowOf(pg.p, x, false, now))
	}
	if data.Conversation == 0 {
		received, err := c.desk.Referrals(r.Context(), a, store.ReferralFilter{Received: true})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for _, x := range received {
			data.Received = append(data.Received, referralRowOf(pg.p, x, true, now))
		}
	}
	c.render(w, r, http.StatusOK, "referrals", pg, data)
}

// referralAnswer changes a referral: received ones are accepted,
// declined or completed, sent ones withdrawn.
func (c *Console) referralAnswer(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	received := r.PathValue("side") == "received"
	if !received && r.PathValue("side") != "sent" {
		c.notFound(w, r)
		return
	}
	if _, err := c.desk.AnswerReferral(r.Context(), web.ActorFrom(r), id, received, r.PostForm.Get("status"), r.PostForm.Get("note")); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals?ok=1", http.StatusSeeOther)
}

// referralForm is the form that refers a case.
func (c *Console) referralForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if _, err := c.desk.Conversation(r.Context(), web.ActorFrom(r), id); err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderReferralForm(w, r, http.StatusOK, id, referralsPage{ServiceID: r.URL.Query().Get("service"), Share: map[string]bool{"language": true}, DueDays: "7"})
}

func (c *Console) renderReferralForm(w http.ResponseWriter, r *http.Request, status int, conv int64, data referralsPage) {
	pg := c.newPage(r, conversationURL(conv)+"/refer", "referral.refer_case")
	pg.Nav = "referrals"
	data.page, data.Conversation, data.Action = pg, conv, conversationURL(conv)+"/refer"
	if len(data.Errors) > 0 {
		pg.failed()
	}
	c.render(w, r, status, "referral_form", pg, data)
}

// referralCreate refers the case.
func (c *Console) referralCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	f := r.PostForm
	data := referralsPage{Partner: f.Get("partner"), PartnerEmail: f.Get("partner_email"), ServiceID: f.Get("service_id"), Reason: f.Get("reason"),
		Summary: f.Get("summary"), Consent: f.Get("consent") == "1", DueDays: f.Get("due_days"), Share: map[string]bool{}}
	for _, s := range f["share"] {
		data.Share[s] = true
	}
	days, err := strconv.Atoi(data.DueDays)
	if err != nil {
		days = -1
	}
	ref, link, err := c.desk.Refer(r.Context(), web.ActorFrom(r), desk.ReferralRequest{
		ConversationID: id, PartnerSlug: data.Partner, PartnerEmail: data.PartnerEmail, ServiceID: data.ServiceID,
		Share: f["share"], Summary: data.Summary, Reason: data.Reason, ConsentGiven: data.Consent, DueDays: days, LinkBase: publicBase(r),
	})
	if err != nil {
		if me, ok := model.AsError(err); ok && me.Code == model.CodeInvalid {
			field := me.Field
			if field == "" || field == "partner_email" {
				field = "partner"
			}
			data.Errors = map[string]string{field: errorText(c.printer(r), err)}
			c.renderReferralForm(w, r, http.StatusBadRequest, id, data)
			return
		}
		c.fail(w, r, err)
		return
	}
	if link == "" {
		http.Redirect(w, r, "/referrals?ok=1&conversation="+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	// The link is shown once: the page is not kept in any cache.
	w.Header().Set("Cache-Control", "no-store")
	data.Link, data.Email, data.EmailSubject = link, ref.EmailBody, ref.EmailSubject
	c.renderReferralForm(w, r, http.StatusOK, id, data)
}
