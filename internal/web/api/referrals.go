package api

import (
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// listReferrals lists the referrals the organisation sent
// (?direction=sent, the default) or received, ?open=true only those
// waiting, ?conversation_id= one case's.
func (a *API) listReferrals(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	v, err := parseQuery(r.URL.RawQuery, "direction", "open", "conversation_id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f := store.ReferralFilter{Received: v.Get("direction") == "received", OpenOnly: v.Get("open") == "true"}
	if d := v.Get("direction"); d != "" && d != "sent" && d != "received" {
		a.fail(w, r, invalidNumber("direction"))
		return
	}
	if s := v.Get("conversation_id"); s != "" {
		id, ok := positive(s)
		if !ok {
			a.fail(w, r, invalidNumber("conversation_id"))
			return
		}
		f.ConversationID = id
	}
	list, err := a.desk.Referrals(r.Context(), actor, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := time.Now()
	items := make([]referralJSON, 0, len(list))
	for _, x := range list {
		items = append(items, referralOf(x, f.Received, now))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

// newReferral is the body of POST /api/v1/referrals.
type newReferral struct {
	ConversationID int64    `json:"conversation_id"`
	PartnerSlug    string   `json:"partner_slug"`
	PartnerEmail   string   `json:"partner_email"`
	ServiceID      string   `json:"service_id"`
	Share          []string `json:"share"`
	Summary        string   `json:"summary"`
	Reason         string   `json:"reason"`
	ConsentGiven   bool     `json:"consent_given"`
	DueDays        int      `json:"due_days"`
}

// postReferral refers a case; for a partner outside the desk the answer
// carries the link (shown once) and the e-mail to send it with.
func (a *API) postReferral(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	var b newReferral
	if err := web.DecodeJSON(w, r, &b, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	ref, link, err := a.desk.Refer(r.Context(), actor, desk.ReferralRequest{
		ConversationID: b.ConversationID, PartnerSlug: b.PartnerSlug, PartnerEmail: b.PartnerEmail, ServiceID: b.ServiceID,
		Share: b.Share, Summary: b.Summary, Reason: b.Reason, ConsentGiven: b.ConsentGiven, DueDays: b.DueDays, LinkBase: linkBase(r),
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := referralOf(ref, false, time.Now())
	out.Link = link
	web.WriteJSON(w, http.StatusCreated, out)
}

// getReferral answers one referral, ?direction=received for one sent to
// the organisation.
func (a *API) getReferral(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := parseQuery(r.URL.RawQuery, "direction")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	received := v.Get("direction") == "received"
	ref, err := a.desk.Referral(r.Context(), actor, id, received)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, referralOf(ref, received, time.Now()))
}

// postReferralStatus changes a referral: a partner accepts, declines or
// completes one it received (direction "received"); the referrer
// withdraws one it sent. The status and note come back to the case.
func (a *API) postReferralStatus(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b struct {
		Direction string `json:"direction"`
		Status    string `json:"status"`
		Note      string `json:"note"`
	}
	if err := web.DecodeJSON(w, r, &b, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	received := b.Direction == "received"
	ref, err := a.desk.AnswerReferral(r.Context(), actor, id, received, b.Status, b.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, referralOf(ref, received, time.Now()))
}
