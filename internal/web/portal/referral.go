package portal

import (
	"net/http"
	"net/url"

	"github.com/sportello/sportello/internal/store"
)

// The page an outside partner opens from a referral's e-mail, under
// /o/{org}/referral/{token}: what the referring desk shared, and a form
// to accept, decline or complete the referral with a note. The token in
// the address is the only authority (no account); it is never logged by
// route, and a wrong one is a plain not-found page.

type referralView struct {
	R       *store.Referral
	Action  string
	Choices []string // statuses the partner may set now
	Done    bool     // just answered
}

func (p *Portal) referralPage(w http.ResponseWriter, r *http.Request, rq *request) {
	ref, err := p.desk.LinkReferral(r.Context(), rq.org.ID, r.PathValue("token"))
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	p.renderReferral(w, r, rq, ref, r.URL.Query().Get("done") == "1")
}

func (p *Portal) renderReferral(w http.ResponseWriter, r *http.Request, rq *request, ref *store.Referral, done bool) {
	self := "/o/" + rq.org.Slug + "/referral/" + url.PathEscape(r.PathValue("token"))
	pg := p.newPage(rq.pr, &url.URL{Path: self}, rq.pr.T("referral.page_title", map[string]any{"Name": ref.OrgName}))
	pg.OrgName = rq.org.Name
	v := &referralView{R: ref, Action: self, Done: done}
	switch ref.Status {
	case store.ReferralSent:
		v.Choices = []string{store.ReferralAccepted, store.ReferralDeclined}
	case store.ReferralAccepted:
		v.Choices = []string{store.ReferralCompleted, store.ReferralDeclined}
	}
	pg.Referral = v
	// The address holds a secret: keep it out of other sites' logs.
	w.Header().Set("Referrer-Policy", "no-referrer")
	p.render(w, r, http.StatusOK, "referral", pg)
}

func (p *Portal) referralAnswer(w http.ResponseWriter, r *http.Request, rq *request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, rq, errScreenForm)
		return
	}
	token := r.PathValue("token")
	if _, err := p.desk.AnswerLinkReferral(r.Context(), rq.org.ID, token, r.PostForm.Get("status"), r.PostForm.Get("note")); err != nil {
		p.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/o/"+rq.org.Slug+"/referral/"+url.PathEscape(token)+"?done=1", http.StatusSeeOther)
}
