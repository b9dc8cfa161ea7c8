package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// maxForm bounds a form without a file.
const maxForm = 64 << 10

// prechatInput is what the visitor typed, kept when the form comes back.
type prechatInput struct {
	Name, ReplyTo, Topic string
	Consent              bool
	Errors               map[string]string // by field
}

// prechatView is the pre-chat form.
type prechatView struct {
	AskName, NameRequired       bool
	AskContact, ContactRequired bool
	Topics                      []option
	PrivacyURL                  string
	prechatInput
}

type option struct {
	Value, Label string
	Selected     bool
}

func (p *Portal) prechatView(rq *request, in prechatInput) *prechatView {
	f := rq.cfg.prechat
	v := &prechatView{
		AskName: f.name != fieldOff, NameRequired: f.name == fieldRequired,
		AskContact: f.contact != fieldOff, ContactRequired: f.contact == fieldRequired,
		PrivacyURL: rq.cfg.privacyURL, prechatInput: in,
	}
	for _, t := range f.topics {
		v.Topics = append(v.Topics, option{Value: t.ID, Label: t.label(rq.pr.Lang(), rq.org.Language), Selected: t.ID == in.Topic})
	}
	return v
}

// start takes the pre-chat form: the contact is created, the consent
// recorded with the version of the notice, and the answers kept. The
// hosted page then goes to the chat with its cookie; chat.js (embedded)
// gets the token as JSON.
func (p *Portal) start(w http.ResponseWriter, r *http.Request, rq *request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.formError(w, r, rq, err)
		return
	}
	v, err := p.visitorOf(r, rq, true)
	if err != nil {
		p.unauthorized(w, r, rq, err)
		return
	}
	f := rq.cfg.prechat
	if f == nil {
		p.letIn(w, r, rq, v)
		return
	}
	ip := web.ClientIP(r)
	if ok, _ := p.starts.Allow(ip); !ok {
		p.rejectForm(w, r, rq, v, prechatInput{}, &model.Error{Code: model.CodeRateLimited, Key: "chat.rate_limited", Message: "too many pre-chat forms"})
		return
	}
	p.starts.Fail(ip)

	in := prechatInput{
		Name: strings.TrimSpace(r.PostForm.Get("name")), ReplyTo: strings.TrimSpace(r.PostForm.Get("reply_to")),
		Topic: r.PostForm.Get("topic"), Consent: r.PostForm.Get("consent") == "yes", Errors: map[string]string{},
	}
	replyTo := p.checkPrechat(rq, f, &in)
	if len(in.Errors) > 0 {
		p.rejectForm(w, r, rq, v, in, nil)
		return
	}
	ctx := r.Context()
	note := ""
	if replyTo != "" {
		note = p.bundle.Printer(rq.org.Language).T("portal.contact_note", map[string]any{"Value": replyTo})
	}
	contactID, err := p.st.EnsureWebContact(ctx, store.WebContact{OrgID: rq.org.ID, VisitorID: v.ID, DisplayName: in.Name, Language: rq.pr.Lang(), Note: note})
	if err == nil {
		err = p.st.RecordConsent(ctx, &model.Consent{OrgID: rq.org.ID, ContactID: contactID, Purpose: "data_processing",
			TextVersion: f.consentVersion, Source: string(model.ChannelWeb)})
	}
	if err == nil {
		err = p.st.SaveWebVisitor(ctx, &store.WebVisitor{OrgID: rq.org.ID, VisitorID: v.ID, ContactID: contactID, Name: in.Name,
			ReplyTo: replyTo, Topic: in.Topic, Language: rq.pr.Lang(), ConsentVersion: f.consentVersion})
	}
	if err != nil {
		if model.ErrorIs(err, model.CodeInvalid) {
			in.Errors["name"] = rq.pr.Error(err)
			p.rejectForm(w, r, rq, v, in, nil)
			return
		}
		p.failAs(w, r, rq, err)
		return
	}
	p.letIn(w, r, rq, v)
}

// checkPrechat validates the form into in.Errors and returns the reply
// address normalised (E.164 phone or lower-case e-mail).
func (p *Portal) checkPrechat(rq *request, f *prechat, in *prechatInput) string {
	pr := rq.pr
	switch {
	case f.name == fieldOff:
		in.Name = ""
	case in.Name == "" && f.name == fieldRequired:
		in.Errors["name"] = pr.T("chat.name_required", nil)
	default:
		if err := model.CheckText("name", in.Name, false, 200); err != nil {
			in.Errors["name"] = pr.T("chat.name_invalid", nil)
		}
	}
	replyTo := ""
	switch {
	case f.contact == fieldOff:
		in.ReplyTo = ""
	case in.ReplyTo == "" && f.contact == fieldRequired:
		in.Errors["reply_to"] = pr.T("chat.reply_to_required", nil)
	case in.ReplyTo != "":
		var err error
		if strings.Contains(in.ReplyTo, "@") {
			replyTo, err = model.NormalizeEmail("reply_to", in.ReplyTo)
		} else {
			var id model.Identity
			id, err = model.NormalizeIdentity(model.Identity{Kind: model.IdentityPhone, Value: in.ReplyTo})
			replyTo = id.Value
		}
		if err != nil {
			in.Errors["reply_to"] = pr.T("chat.reply_to_invalid", nil)
		}
	}
	if in.Topic != "" {
		if _, ok := f.topic(in.Topic); !ok {
			in.Errors["topic"] = pr.T("chat.topic_invalid", nil)
		}
	}
	if !in.Consent {
		in.Errors["consent"] = pr.T("chat.consent_required", nil)
	}
	return replyTo
}

// letIn answers a visitor who may now write: JSON with their token for
// chat.js, or the cookie and the chat for a browser.
func (p *Portal) letIn(w http.ResponseWriter, r *http.Request, rq *request, v visitor) {
	if wantsJSON(r) {
		web.WriteJSON(w, http.StatusOK, map[string]string{"token": v.Token})
		return
	}
	p.setVisitorCookie(w, r, rq.org.Slug, v)
	u := chatURL(rq.org.Slug, false)
	http.Redirect(w, r, u.String()+"#body", http.StatusSeeOther)
}

// rejectForm shows the pre-chat form again with its errors, or with err
// as the page's alert; chat.js gets the first error as JSON.
func (p *Portal) rejectForm(w http.ResponseWriter, r *http.Request, rq *request, v visitor, in prechatInput, err error) {
	if err == nil {
		err = &model.Error{Code: model.CodeInvalid, Key: "chat.check_form", Message: "the pre-chat form has errors"}
		for _, field := range []string{"name", "reply_to", "topic", "consent"} {
			if msg, ok := in.Errors[field]; ok {
				err = &model.Error{Code: model.CodeInvalid, Key: "chat.check_form", Field: field, Message: msg}
				break
			}
		}
	}
	if wantsJSON(r) {
		status, d := web.Detail(r, p.log, rq.pr, err)
		if e, ok := model.AsError(err); ok && e.Field != "" {
			d.Message = in.Errors[e.Field]
		}
		web.WriteJSON(w, status, web.ErrorBody{Error: d})
		return
	}
	pg := p.chatPageFor(rq, false)
	if ferr := p.fillChat(r, rq, pg, v, true); ferr != nil {
		p.fail(w, r, rq, ferr)
		return
	}
	pg.Chat.Prechat = p.prechatView(rq, in)
	pg.Chat.Started = false
	pg.Alert = rq.pr.Error(err)
	p.renderChat(w, r, rq, web.Status(err), pg, v, false)
}

// unauthorized answers a forged or expired token: JSON with a fresh token
// for chat.js, or the chat page with a new visitor and the reason.
func (p *Portal) unauthorized(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	if !model.ErrorIs(err, model.CodeUnauthorized) {
		p.failAs(w, r, rq, err)
		return
	}
	fresh, ferr := p.newVisitor(r.Context(), rq.org.ID)
	if ferr != nil {
		p.failAs(w, r, rq, ferr)
		return
	}
	if wantsJSON(r) {
		_, d := web.Detail(r, p.log, rq.pr, err)
		web.WriteJSON(w, http.StatusUnauthorized, struct {
			Error web.ErrorDetail `json:"error"`
			Token string          `json:"token"`
		}{d, fresh.Token})
		return
	}
	pg := p.chatPageFor(rq, false)
	if ferr := p.fillChat(r, rq, pg, fresh, true); ferr != nil {
		p.fail(w, r, rq, ferr)
		return
	}
	pg.Alert = rq.pr.T("chat.session_expired", nil)
	p.renderChat(w, r, rq, http.StatusUnauthorized, pg, fresh, false)
}

// failAs answers err as JSON for chat.js, or as an error page.
func (p *Portal) failAs(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	if wantsJSON(r) {
		p.writeError(w, r, rq.pr, err)
		return
	}
	p.fail(w, r, rq, chatError(err))
}

// formError answers a body that could not be read: too large or malformed.
func (p *Portal) formError(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		p.failAs(w, r, rq, &model.Error{Code: model.CodeTooLarge, Key: "error.too_large", Message: "form too large"})
		return
	}
	p.failAs(w, r, rq, &model.Error{Code: model.CodeInvalid, Key: "error.invalid", Message: "malformed form"})
}
