package portal

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// pageMessages bounds the messages the page shows; older ones stay in the
// database and with the desk.
const pageMessages = 200

// chatView is the chat page's content.
type chatView struct {
	Slug           string
	Token          string // for chat.js
	Started        bool   // may write: no pre-chat form, or it is filled in
	Prechat        *prechatView
	Status         deskStatus
	Messages       []msgView
	Older          bool // older messages are not shown
	ConvID         int64
	LastSeq        int64
	ClientID       string // makes a resent form a no-op
	Draft          string
	BodyError      string
	MaxUpload      string
	MaxUploadBytes int64
	Refresh        string // the page's own address, for the no-JS refresh link
	Action         string
	StartURL       string
	SocketURL      string
	UploadURL      string
	FilesURL       string
	AcceptFile     string
	SuggestURL     string          // help articles matching the draft (help.go)
	Transcript     *transcriptView // "send me the transcript" (transcript.go); nil when not offered
}

// msgView is one message as the citizen sees it.
type msgView struct {
	ID       string // "m-<conversation>-<seq>"
	ConvID   int64
	Seq      int64
	Mine     bool
	Body     string
	ClientID string
	When     string
	ISO      string
	State    string // sent, delivered, read (the citizen's own messages)
	Files    []fileView
	// QuickReplies are answers a desk message suggests; chat.js shows the
	// last message's as buttons (the body lists them for everyone else).
	QuickReplies []string
}

type fileView struct {
	ID    int64
	Name  string
	Size  string
	Image bool
	URL   string
}

// chatTypes are the files a visitor may send: photos of documents, PDFs.
var chatTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/webp": true, "image/gif": true, "application/pdf": true,
}

// chatPage shows the chat. The hosted page knows its visitor by cookie:
// none yet gets a new one, a forged or expired one gets a new one and a
// 401 saying so. The embedded page (?embed=1) knows nobody: chat.js
// brings the visitor's token from its own storage, or adopts the new one
// the page carries.
func (p *Portal) chatPage(w http.ResponseWriter, r *http.Request, rq *request) {
	embed := r.URL.Query().Get("embed") == "1"
	status := http.StatusOK
	pg := p.chatPageFor(rq, embed)
	var v visitor
	var err error
	if embed {
		v, err = p.newVisitor(r.Context(), rq.org.ID)
	} else {
		v, err = p.visitorOf(r, rq, true)
		if model.ErrorIs(err, model.CodeUnauthorized) {
			status = http.StatusUnauthorized
			pg.Alert = rq.pr.T("chat.session_expired", nil)
			v, err = p.newVisitor(r.Context(), rq.org.ID)
		}
	}
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	if r.URL.Query().Get("expired") == "1" {
		pg.Alert = rq.pr.T("chat.session_expired", nil)
	}
	if r.URL.Query().Get("sent") == "1" {
		pg.Notice = rq.pr.T("chat.sent_notice", nil)
	}
	if err := p.fillChat(r, rq, pg, v, !embed); err != nil {
		p.fail(w, r, rq, err)
		return
	}
	if r.URL.Query().Get("transcript") == "1" {
		pg.Notice = p.transcriptNotice(r.Context(), rq, pg.Chat.ConvID)
	}
	p.renderChat(w, r, rq, status, pg, v, embed)
}

// chatPageFor starts the chat page of the request's language.
func (p *Portal) chatPageFor(rq *request, embed bool) *page {
	pg := p.newPage(rq.pr, chatURL(rq.org.Slug, embed), rq.pr.T("chat.title", map[string]any{"Name": rq.org.Name}))
	pg.OrgName, pg.Embed = rq.org.Name, embed
	return pg
}

// fillChat loads what the page shows for visitor v. known says whether the
// server knows who v is (the hosted page); the embedded page starts empty.
func (p *Portal) fillChat(r *http.Request, rq *request, pg *page, v visitor, known bool) error {
	ctx := r.Context()
	slug := rq.org.Slug
	base := "/o/" + slug + "/chat"
	cv := &chatView{
		Slug: slug, Token: v.Token, Status: statusAt(rq.pr, p.scheduleOf(ctx, rq, model.ChannelWeb), p.opt.Now(), p.desk.AnyoneOnline(rq.org.ID)),
		ClientID: newClientID(), MaxUpload: formatSize(rq.pr, p.opt.MaxUpload), MaxUploadBytes: p.opt.MaxUpload,
		Refresh: chatURL(slug, pg.Embed).String(), Action: base + "/messages", StartURL: base + "/start",
		SocketURL: base + "/ws", UploadURL: base + "/uploads", FilesURL: base + "/files/",
		AcceptFile: "image/jpeg,image/png,image/webp,image/gif,application/pdf",
		SuggestURL: helpBase(slug) + "/suggest?lang=" + url.QueryEscape(pg.Lang),
	}
	pg.Chat = cv
	cv.Started = rq.cfg.prechat == nil
	var wv *store.WebVisitor
	if known {
		started, form, err := p.started(ctx, rq, v)
		if err != nil {
			return err
		}
		cv.Started, wv = started, form
		th, err := p.st.WebThread(ctx, rq.org.ID, v.ID)
		if err != nil {
			return err
		}
		if th.ConversationID != 0 {
			after := max(0, th.LastSeq-pageMessages)
			msgs, err := p.st.Messages(ctx, rq.org.ID, th.ConversationID, after, pageMessages)
			if err != nil {
				return err
			}
			cv.ConvID, cv.LastSeq, cv.Older = th.ConversationID, th.LastSeq, after > 0
			loc := p.orgLocation(rq)
			for _, m := range msgs {
				if visible(m) {
					cv.Messages = append(cv.Messages, p.msgView(rq.pr, loc, slug, v.ID, m, ""))
				}
			}
		}
	}
	if !cv.Started && rq.cfg.prechat != nil {
		cv.Prechat = p.prechatView(rq, prechatInput{})
	}
	p.transcriptFor(ctx, rq, cv, wv, known)
	return nil
}

// renderChat sends the chat page: it may be framed by the organisation's
// allowed sites when embedded, and only then.
func (p *Portal) renderChat(w http.ResponseWriter, r *http.Request, rq *request, status int, pg *page, v visitor, embed bool) {
	if !embed && v.Fresh {
		p.setVisitorCookie(w, r, rq.org.Slug, v)
	}
	h := w.Header()
	csp := strings.Replace(web.CSP, "connect-src 'self'", "connect-src 'self' "+socketOrigin(r), 1)
	if embed && len(rq.cfg.origins) > 0 {
		csp = strings.Replace(csp, "frame-ancestors 'none'", "frame-ancestors "+strings.Join(rq.cfg.origins, " "), 1)
		h.Del("X-Frame-Options") // CSP says who may frame; the header can only say nobody
	}
	h.Set("Content-Security-Policy", csp)
	p.render(w, r, status, "chat", pg)
}

// socketOrigin is the WebSocket origin of the desk as the browser reached
// it: some browsers do not count ws: and wss: as 'self'.
func socketOrigin(r *http.Request) string {
	if web.IsHTTPS(r) {
		return "wss://" + r.Host
	}
	return "ws://" + r.Host
}

// visible reports whether the citizen sees m: their messages and the
// replies, never internal notes or system events.
func visible(m *model.Message) bool {
	return m.Direction == model.DirectionInbound || m.Direction == model.DirectionOutbound
}

// msgView shows m to visitor visitorID; token, when given, is added to
// file links (the embedded page has no cookie).
func (p *Portal) msgView(pr *locale.Printer, loc *time.Location, slug, visitorID string, m *model.Message, token string) msgView {
	v := msgView{
		ID: "m-" + strconv.FormatInt(m.ConversationID, 10) + "-" + strconv.FormatInt(m.Seq, 10), ConvID: m.ConversationID, Seq: m.Seq,
		Mine: m.Direction == model.DirectionInbound, Body: m.Body,
		When: pr.FormatDateTime(m.CreatedAt, loc), ISO: m.CreatedAt.UTC().Format(time.RFC3339),
	}
	if m.Direction == model.DirectionOutbound {
		v.QuickReplies = m.QuickReplies
	}
	if v.Mine {
		v.ClientID = strings.TrimPrefix(m.ProviderMessageID, visitorID+":")
		v.State = string(m.DeliveryStatus)
		if v.State == "" || v.State == string(model.DeliveryQueued) {
			v.State = string(model.DeliverySent)
		}
	}
	for _, a := range m.Attachments {
		u := "/o/" + slug + "/chat/files/" + strconv.FormatInt(a.ID, 10)
		if token != "" {
			u += "?token=" + token
		}
		v.Files = append(v.Files, fileView{ID: a.ID, Name: a.Filename, Size: formatSize(pr, a.Size), Image: strings.HasPrefix(a.ContentType, "image/"), URL: u})
	}
	return v
}

// orgLocation is the organisation's time zone, in which times are shown.
func (p *Portal) orgLocation(rq *request) *time.Location {
	if rq.cfg.schedule != nil {
		return rq.cfg.schedule.Location()
	}
	if v, ok := p.zones.Load(rq.org.TimeZone); ok {
		return v.(*time.Location)
	}
	// Loading parses the zone's data: once per zone, not per page.
	if loc, err := time.LoadLocation(rq.org.TimeZone); err == nil {
		p.zones.Store(rq.org.TimeZone, loc)
		return loc
	}
	return time.UTC
}

// newClientID is a random id for a form: sending it twice stores one
// message.
func newClientID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// formatSize writes a byte count the way people read it, with the
// language's decimal separator: "10 MB", "2,5 MB", "300 KB".
func formatSize(pr *locale.Printer, n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return pr.FormatInt(n>>20) + " MB"
	case n >= 1<<20:
		return pr.FormatFloat(float64(n)/(1<<20), 1) + " MB"
	case n >= 1<<10:
		return pr.FormatInt(n>>10) + " KB"
	}
	return pr.FormatInt(n) + " B"
}
