package portal

import (
	"net/http"
)

// Routes registers the portal. Who may call each route:
//
//   - anyone: static files and the not-found page;
//   - anyone, for a known organisation: its pages (an unknown one is a
//     not-found page);
//   - a visitor: the request carries a valid visitor token (cookie, form
//     field or ?token=); a forged or expired one is 401 with a fresh start.
//
// State-changing requests also pass the app's cross-origin check: the
// forms and chat.js post from the desk's own origin, also when the chat is
// embedded (it is then a frame of that origin).
func (p *Portal) Routes(mux *http.ServeMux) {
	routes := []struct {
		pattern string
		who     string // documentation, see above
		handler http.HandlerFunc
	}{
		{"GET /o/{org}", "anyone", p.inOrg(p.home)},
		{"GET /o/{org}/{$}", "anyone", p.inOrg(p.home)},
		{"GET /o/{org}/chat", "anyone; a visitor's token if any", p.inOrg(p.chatPage)},
		{"POST /o/{org}/chat/start", "anyone; a new or known visitor", p.inOrg(p.start)},
		{"POST /o/{org}/chat/messages", "visitor", p.inOrg(p.postMessage)},
		{"POST /o/{org}/chat/uploads", "visitor", p.inOrg(p.upload)},
		{"GET /o/{org}/chat/files/{id}", "visitor, their own conversations' files", p.inOrg(p.file)},
		{"GET /o/{org}/chat/ws", "visitor, from the desk or an allowed site", p.inOrg(p.socket)},
		{"POST /o/{org}/chat/transcript", "visitor, their own conversation (limited per conversation)", p.inOrg(p.transcript)},
		{"GET /o/{org}/widget.js", "anyone", p.inOrg(p.widget)},
		{"GET /o/{org}/screen", "anyone", p.inOrg(p.screenStart)},
		{"POST /o/{org}/screen/start", "anyone (rate limited per address)", p.inOrg(p.screenNew)},
		{"POST /o/{org}/screen/resume", "anyone with a code (wrong codes rate limited)", p.inOrg(p.screenResume)},
		{"GET /o/{org}/screen/questions", "the run of the screener cookie", p.inOrg(p.screenQuestions)},
		{"POST /o/{org}/screen/questions", "the run of the screener cookie", p.inOrg(p.screenAnswer)},
		{"GET /o/{org}/screen/result", "the run of the screener cookie", p.inOrg(p.screenResult)},
		{"GET /o/{org}/contact", "anyone", p.inOrg(p.contactPage)},
		{"POST /o/{org}/contact", "anyone (honeypot, timing, rate limited per address)", p.inOrg(p.contactSend)},
		{"GET /o/{org}/contact/sent", "anyone", p.inOrg(p.contactSent)},
		{"GET /o/{org}/help", "anyone: published articles only", p.inOrg(p.helpHome)},
		{"GET /o/{org}/help/search", "anyone: published articles only", p.inOrg(p.helpSearch)},
		{"GET /o/{org}/help/suggest", "anyone: published articles only (chat.js)", p.inOrg(p.helpSuggest)},
		{"GET /o/{org}/help/{slug}", "anyone: a published article", p.inOrg(p.helpArticlePage)},
		{"GET /o/{org}/services", "anyone", p.inOrg(p.services)},
		{"GET /o/{org}/services/{id}", "anyone; confidential locations without address", p.inOrg(p.serviceCard)},
		{"GET /o/{org}/referral/{token}", "the outside partner holding the referral's link", p.inOrg(p.referralPage)},
		{"POST /o/{org}/referral/{token}", "the outside partner holding the referral's link", p.inOrg(p.referralAnswer)},
		{"GET " + staticPrefix + "{hash}/{file}", "anyone", p.static},
		{"/o/", "anyone", func(w http.ResponseWriter, r *http.Request) { p.notFound(w, r, nil) }},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, rt.handler)
	}
}

// home sends the organisation's address to its chat.
func (p *Portal) home(w http.ResponseWriter, r *http.Request, rq *request) {
	u := chatURL(rq.org.Slug, false)
	if lang := r.URL.Query().Get("lang"); p.bundle.Supported(lang) {
		u.RawQuery = "lang=" + lang
	}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
