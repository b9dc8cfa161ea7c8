package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// The contact form at /o/{org}/contact: a message for the desk without a
// live chat, for citizens who write once and wait for an answer by phone,
// SMS or e-mail. It works without JavaScript. Spam is kept out without
// third-party services:
//
//   - a honeypot field people do not see (and screen readers skip);
//   - a signed stamp of when the form was shown: a form sent back sooner
//     than a person can type, or a day later, is refused (the page says
//     so and shows a fresh form);
//   - a limit of forms per client address.
//
// The stamp's random id is the message's provider id, so sending the
// same form twice (a double click, a reload) stores one message.
const (
	contactMinDelay = 3 * time.Second
	contactMaxAge   = 24 * time.Hour
	honeypotField   = "website"
	maxContactBody  = 4000
)

// contactView is the form, with what the citizen typed when it comes back.
type contactView struct {
	Action, Stamp, PrivacyURL string
	Name, Phone, Email, Body  string
	Topic                     string
	Topics                    []option
	Consent                   bool
	Errors                    map[string]string
	MaxBody                   int
	Status                    deskStatus
	Sent                      bool // the confirmation page
	ChatURL                   string
}

func contactURL(slug string) *url.URL { return &url.URL{Path: "/o/" + slug + "/contact"} }

// contactPage shows the form.
func (p *Portal) contactPage(w http.ResponseWriter, r *http.Request, rq *request) {
	p.renderContact(w, r, rq, http.StatusOK, &contactView{Errors: map[string]string{}}, "")
}

func (p *Portal) renderContact(w http.ResponseWriter, r *http.Request, rq *request, status int, v *contactView, alert string) {
	stamp, err := p.contactStamp(r.Context(), rq.org.ID)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	v.Action, v.Stamp, v.MaxBody = contactURL(rq.org.Slug).String(), stamp, maxContactBody
	v.PrivacyURL, v.ChatURL = rq.cfg.privacyURL, chatURL(rq.org.Slug, false).String()
	v.Status = statusAt(rq.pr, p.scheduleOf(r.Context(), rq, model.ChannelForm), p.opt.Now(), true) // answers come later anyway
	if f := rq.cfg.prechat; f != nil {
		for _, t := range f.topics {
			v.Topics = append(v.Topics, option{Value: t.ID, Label: t.label(rq.pr.Lang(), rq.org.Language), Selected: t.ID == v.Topic})
		}
	}
	title := rq.pr.T("contactform.title", nil)
	if v.Sent {
		title = rq.pr.T("contactform.sent_title", nil)
	} else if len(v.Errors) > 0 || alert != "" {
		title = rq.pr.T("screen.error_prefix", nil) + " " + title
	}
	pg := p.newPage(rq.pr, contactURL(rq.org.Slug), title)
	pg.OrgName, pg.Alert, pg.Contact = rq.org.Name, alert, v
	p.render(w, r, status, "contact", pg)
}

// contactStamp signs a new form's random id and the time it was shown.
func (p *Portal) contactStamp(ctx context.Context, orgID int64) (string, error) {
	var b [12]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	at := strconv.FormatInt(p.opt.Now().Unix(), 36)
	sum, err := p.keys.mac(ctx, "contact", strconv.FormatInt(orgID, 10), id, at)
	if err != nil {
		return "", err
	}
	return id + "." + at + "." + base64.RawURLEncoding.EncodeToString(sum[:16]), nil
}

// checkStamp reads a stamp back: its id and when the form was shown.
func (p *Portal) checkStamp(ctx context.Context, orgID int64, stamp string) (string, time.Time, bool, error) {
	parts := strings.Split(stamp, ".")
	if len(parts) != 3 || len(parts[0]) != 24 || len(stamp) > 100 {
		return "", time.Time{}, false, nil
	}
	secs, err := strconv.ParseInt(parts[1], 36, 64)
	if err != nil {
		return "", time.Time{}, false, nil
	}
	got, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", time.Time{}, false, nil
	}
	want, err := p.keys.mac(ctx, "contact", strconv.FormatInt(orgID, 10), parts[0], parts[1])
	if err != nil {
		return "", time.Time{}, false, err
	}
	if !hmac.Equal(got, want[:16]) {
		return "", time.Time{}, false, nil
	}
	return parts[0], time.Unix(secs, 0), true, nil
}

// contactSend takes the form: spam checks, then validation, then the
// message is stored (and routed) before the confirmation is shown.
func (p *Portal) contactSend(w http.ResponseWriter, r *http.Request, rq *request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, rq, &model.Error{Code: model.CodeInvalid, Key: "error.validation.form", Message: "the form could not be read"})
		return
	}
	f := r.PostForm
	v := &contactView{
		Name: strings.TrimSpace(f.Get("name")), Phone: strings.TrimSpace(f.Get("phone")), Email: strings.TrimSpace(f.Get("email")),
		Body: strings.TrimSpace(f.Get("body")), Topic: f.Get("topic"), Consent: f.Get("consent") == "yes", Errors: map[string]string{},
	}
	pr := rq.pr
	ctx := r.Context()
	ip := web.ClientIP(r)
	if ok, _ := p.starts.Allow("contact:" + ip); !ok {
		p.renderContact(w, r, rq, http.StatusTooManyRequests, v, pr.T("contactform.too_many", nil))
		return
	}
	p.starts.Fail("contact:" + ip)
	id, shown, ok, err := p.checkStamp(ctx, rq.org.ID, f.Get("stamp"))
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	now := p.opt.Now()
	switch {
	case f.Get(honeypotField) != "":
		// A bot filled the field people never see. Say as little as
		// possible: the same words as a form sent too fast.
		p.renderContact(w, r, rq, http.StatusBadRequest, v, pr.T("contactform.too_fast", nil))
		return
	case !ok || now.Sub(shown) > contactMaxAge:
		p.renderContact(w, r, rq, http.StatusBadRequest, v, pr.T("contactform.expired", nil))
		return
	case now.Sub(shown) < contactMinDelay:
		p.renderContact(w, r, rq, http.StatusBadRequest, v, pr.T("contactform.too_fast", nil))
		return
	}

	if v.Phone == "" && v.Email == "" {
		v.Errors["phone"] = pr.T("contactform.reply_to_required", nil)
	}
	if v.Phone != "" {
		if _, err := model.NormalizeIdentity(model.Identity{Kind: model.IdentityPhone, Value: v.Phone}); err != nil {
			v.Errors["phone"] = pr.T("contactform.phone_invalid", nil)
		}
	}
	if v.Email != "" {
		if _, err := model.NormalizeEmail("email", v.Email); err != nil {
			v.Errors["email"] = pr.T("chat.reply_to_invalid", nil)
		}
	}
	if err := model.CheckText("name", v.Name, false, 200); err != nil {
		v.Errors["name"] = pr.T("chat.name_invalid", nil)
	}
	if v.Body == "" {
		v.Errors["body"] = pr.T("contactform.body_required", nil)
	} else if err := model.CheckText("body", v.Body, true, maxContactBody); err != nil {
		v.Errors["body"] = pr.Error(err)
	}
	subject := ""
	if v.Topic != "" {
		t, ok := rq.cfg.prechat.topicOK(v.Topic)
		if !ok {
			v.Errors["topic"] = pr.T("chat.topic_invalid", nil)
		}
		subject = t.label(rq.org.Language, rq.org.Language)
	}
	if !v.Consent {
		v.Errors["consent"] = pr.T("chat.consent_required", nil)
	}
	if len(v.Errors) > 0 {
		p.renderContact(w, r, rq, http.StatusBadRequest, v, pr.T("chat.check_form", nil))
		return
	}
	version := defaultConsentVersion
	if rq.cfg.prechat != nil {
		version = rq.cfg.prechat.consentVersion
	}
	_, err = p.desk.ReceiveForm(ctx, desk.FormSubmission{OrgID: rq.org.ID, ID: id, Name: v.Name, Phone: v.Phone, Email: v.Email,
		Topic: v.Topic, Subject: subject, Language: pr.Lang(), Body: v.Body, ConsentVersion: version})
	if err != nil {
		if model.ErrorIs(err, model.CodeInvalid) {
			p.renderContact(w, r, rq, http.StatusBadRequest, v, pr.Error(err))
			return
		}
		p.fail(w, r, rq, err)
		return
	}
	// Confirm on a page of its own, so that a reload does not send again.
	u := contactURL(rq.org.Slug)
	u.Path += "/sent"
	u.RawQuery = url.Values{"lang": {pr.Lang()}}.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// contactSent confirms that the message arrived, and says when the desk
// reads it.
func (p *Portal) contactSent(w http.ResponseWriter, r *http.Request, rq *request) {
	p.renderContact(w, r, rq, http.StatusOK, &contactView{Sent: true, Errors: map[string]string{}}, "")
}

// topicOK finds a topic of the pre-chat settings, which the form shares.
func (f *prechat) topicOK(id string) (topic, bool) {
	if f == nil {
		return topic{}, false
	}
	return f.topic(id)
}
