package console

import (
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
)

// names resolves user and team ids for display.
type names struct {
	p     *locale.Printer
	users map[int64]string
	teams map[int64]string
}

func newNames(p *locale.Printer, users []*model.User, teams []*model.Team) names {
	n := names{p: p, users: make(map[int64]string, len(users)), teams: make(map[int64]string, len(teams))}
	for _, u := range users {
		n.users[u.ID] = u.Name
	}
	for _, t := range teams {
		n.teams[t.ID] = t.Name
	}
	return n
}

// user is a user's name; 0 is the system, a deleted user is shown by id.
func (n names) user(id int64) string {
	if id == 0 {
		return n.p.T("event.system", nil)
	}
	if s, ok := n.users[id]; ok {
		return s
	}
	return n.p.T("console.former_user", nil)
}

func (n names) team(id int64) string {
	if s, ok := n.teams[id]; ok {
		return s
	}
	return n.p.T("console.former_team", nil)
}

// timelineItem is one message, note or event as the timeline shows it.
type timelineItem struct {
	Seq         int64
	Kind        string // inbound, outbound, note, event
	KindLabel   string
	Author      string
	Body        string
	Sentence    string // events: what changed, translated
	Value       string // events: the new value (a name, a status), isolated for bidi
	When, ISO   string
	Delivery    string
	Failed      bool
	Error       string
	RetryURL    string // a failed reply: sent again by a form with the session's CSRF
	CSRF        string
	Attachments []link // each file, served by the console
	// Translation is Body in the reader's language, where the
	// organisation translates: shown first, the original a click away.
	Translation, TranslationLang string
	// Certified e-mail (PEC): the provider's mark on an inbound message,
	// the receipts about an outbound one (its legal delivery status).
	Certified string
	Anomaly   bool
	Quoted    string // an e-mail's quoted history, folded
	Receipts  []receiptItem
}

// receiptItem is one PEC receipt as the timeline shows it.
type receiptItem struct {
	Label, Recipient, Error, When, ISO string
	Failed                             bool
}

// timeline turns messages into items. Times are shown in loc, the
// organisation's time zone.
func (c *Console) timeline(p *locale.Printer, n names, contact string, msgs []*model.Message, loc *time.Location, csrf string) []timelineItem {
	items := make([]timelineItem, 0, len(msgs))
	for _, m := range msgs {
		it := timelineItem{
			Seq: m.Seq, Kind: string(m.Direction), KindLabel: labelOr(p, "direction."+string(m.Direction), string(m.Direction)),
			Body: m.Body, When: p.FormatDateTime(m.CreatedAt, loc), ISO: m.CreatedAt.UTC().Format(time.RFC3339),
		}
		switch m.Direction {
		case model.DirectionInbound:
			it.Author = contact
		case model.DirectionOutbound:
			it.Author = n.user(m.AuthorUserID)
			if m.DeliveryStatus != model.DeliveryNone {
				it.Delivery = labelOr(p, "conversation.delivery_"+string(m.DeliveryStatus), string(m.DeliveryStatus))
			}
			it.Failed, it.Error = m.DeliveryStatus == model.DeliveryFailed, m.Error
			if it.Failed && csrf != "" {
				it.RetryURL = conversationURL(m.ConversationID) + "/messages/" + strconv.FormatInt(m.ID, 10) + "/retry"
				it.CSRF = csrf
			}
		case model.DirectionNote:
			it.Author = n.user(m.AuthorUserID)
		case model.DirectionEvent:
			it.Author = n.user(m.AuthorUserID)
			it.Sentence, it.Value = c.eventSentence(p, n, m)
			it.Body = ""
		}
		for _, a := range m.Attachments {
			it.Attachments = append(it.Attachments, link{Label: a.Filename, URL: fileURL(m.ConversationID, a.ID)})
		}
		it.Quoted = m.Quoted
		if ct := m.Certificate; ct != nil {
			it.Anomaly = !ct.Legal()
			switch {
			case it.Anomaly:
				it.Certified = p.T("pec.anomaly", nil)
			case ct.At != nil && ct.Provider != "":
				it.Certified = p.T("pec.certified_by", map[string]any{"Name": ct.Provider, "Date": p.FormatDateTime(*ct.At, loc)})
			default:
				it.Certified = p.T("pec.certified", nil)
			}
		}
		for _, r := range m.Receipts {
			it.Receipts = append(it.Receipts, receiptItem{Label: labelOr(p, "pec.receipt."+strings.ReplaceAll(r.Kind, "-", "_"), r.Kind), Recipient: r.Recipient, Error: r.Error,
				When: p.FormatDateTime(r.At, loc), ISO: r.At.UTC().Format(time.RFC3339),
				Failed: r.Kind == "errore-consegna" || r.Kind == "non-accettazione" || r.Kind == "rilevazione-virus"})
		}
		if t := m.Translation; t != nil && t.Body != "" && t.Body != m.Body && m.Direction != model.DirectionEvent {
			it.Translation, it.TranslationLang = t.Body, t.Language
		}
		items = append(items, it)
	}
	return items
}

// eventSentence tells what an event message ("status:resolved",
// "assignee:5", "team:2", "priority:3", "language:ar", "restricted:true")
// recorded, in the reader's language, as a text and the new value; the
// timeline shows who did it before them. A text that takes a value is a
// label whose punctuation is the translator's ("Nouveau statut :").
func (c *Console) eventSentence(p *locale.Printer, n names, m *model.Message) (text, value string) {
	kind, v, _ := strings.Cut(m.Body, ":")
	id, idErr := strconv.ParseInt(v, 10, 64)
	switch {
	case kind == "status":
		return p.T("event.status", nil), statusLabel(p, model.Status(v))
	case kind == "assignee" && idErr == nil:
		if id == 0 {
			return p.T("event.unassigned", nil), ""
		}
		return p.T("event.assigned", nil), n.user(id)
	case kind == "team" && idErr == nil:
		if id == 0 {
			return p.T("event.team_cleared", nil), ""
		}
		return p.T("event.team", nil), n.team(id)
	case kind == "priority" && idErr == nil:
		return p.T("event.priority", nil), priorityLabel(p, model.Priority(id))
	case kind == "language":
		return p.T("event.language", nil), c.languageName(v)
	case kind == "restricted" && v == "true":
		return p.T("event.restricted", nil), ""
	case kind == "restricted" && v == "false":
		return p.T("event.unrestricted", nil), ""
	case kind == "sla" && slaEventKeys[v] != "":
		return p.T(slaEventKeys[v], nil), ""
	case kind == "transcript_sent":
		return p.T("event.transcript_sent", nil), v
	case kind == "transcript_failed":
		return p.T("event.transcript_failed", nil), v
	}
	return "", m.Body // an event this console does not know yet
}

// slaEventKeys name the SLA events ("sla:first_response_breached") of
// the timeline.
var slaEventKeys = map[string]string{
	"first_response_warning":  "event.sla_first_response_warning",
	"first_response_breached": "event.sla_first_response_breached",
	"resolution_warning":      "event.sla_resolution_warning",
	"resolution_breached":     "event.sla_resolution_breached",
}
