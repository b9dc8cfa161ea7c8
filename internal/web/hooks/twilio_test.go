package hooks_test

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/twilio"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/hooks"
)

const (
	accountSid = "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
	authToken  = "twilio-auth-token"
	publicURL  = "https://desk.example.org"
	caller     = "+393331234567"
)

// fakeTwilio speaks the part of Twilio's REST API the desk uses:
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json (form-encoded,
// basic auth, answering the documented message resource) and GET of MMS
// media and of recordings (".mp3"), both behind basic auth.
type fakeTwilio struct {
	mu     sync.Mutex
	down   bool
	sent   []url.Values
	denied int // requests without the account's credentials
}

// messageResource is Twilio's documented answer to a new message.
const messageResource = `{"account_sid": "` + accountSid + `", "api_version": "2010-04-01", "body": "Buongiorno",
 "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "direction": "outbound-api", "error_code": null, "error_message": null,
 "from": "+390612345678", "num_media": "0", "num_segments": "1", "price": null, "sid": "SM%d", "status": "queued",
 "to": "+393331234567", "uri": "/2010-04-01/Accounts/` + accountSid + `/Messages/SM%d.json"}`

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, p, ok := r.BasicAuth(); !ok || u != accountSid || p != authToken {
		f.denied++
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code": 20003, "message": "Authenticate", "status": 401}`)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/2010-04-01/Accounts/"+accountSid+"/Messages.json":
		if f.down {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		r.ParseForm()
		f.sent = append(f.sent, r.PostForm)
		n := len(f.sent)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, strings.ReplaceAll(messageResource, "%d", strings.Repeat("1", n)))
	case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Media/"):
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write([]byte("\xff\xd8\xff\xe0 a jpeg"))
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, ".mp3"):
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Write([]byte("ID3 a voicemail"))
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (f *fakeTwilio) messages() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.sent...)
}

func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func rome(h, m int) time.Time    { return time.Date(2026, time.March, 10, h, m, 0, 0, loc) } // a Tuesday
var loc, _ = time.LoadLocation("Europe/Rome")

// line is a desk with its webhooks served, a fake Twilio and an admin.
type line struct {
	t     testing.TB
	s     *store.Store
	d     *desk.Service
	org   *model.Organization
	admin *desk.Actor
	hooks *httptest.Server
	tw    *fakeTwilio
	twSrv *httptest.Server
	clock *clock
}

// newLine starts at now. (Jobs are due by the store's clock: a test whose
// desk clock is in the past sees retries come due at once.)
func newLine(t testing.TB, s *store.Store, now time.Time) *line {
	t.Helper()
	ctx := context.Background()
	l := &line{t: t, s: s, tw: &fakeTwilio{}, clock: &clock{t: now}}
	l.twSrv = httptest.NewServer(l.tw)
	t.Cleanup(l.twSrv.Close)
	fs, err := files.New(t.TempDir(), files.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	l.d, err = desk.New(s, log, desk.Options{PasswordParams: auth.TestPasswordParams(), Now: l.clock.now, Files: fs, HTTPClient: l.twSrv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	l.org = &model.Organization{Slug: "roma", Name: "Sportello Roma", Language: "en"}
	if err := s.CreateOrganization(ctx, l.org); err != nil {
		t.Fatal(err)
	}
	hash, err := l.d.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	u := &model.User{OrgID: l.org.ID, Email: "admin@roma.example", Name: "Admin", Role: model.RoleAdmin, Active: true, PasswordHash: hash}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tok, _, err := l.d.CreateAPIToken(ctx, l.org.ID, u.ID, 0, "test")
	if err != nil {
		t.Fatal(err)
	}
	if l.admin, err = l.d.TokenActor(ctx, tok, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	hooks.New(l.d, log).Routes(mux)
	l.hooks = httptest.NewServer(mux)
	t.Cleanup(l.hooks.Close)
	return l
}

func (l *line) channel(kind model.ChannelKind, extra channel.Settings) *model.Channel {
	l.t.Helper()
	s := channel.Settings{"account_sid": accountSid, "auth_token": authToken, "public_url": publicURL, "api_base_url": l.twSrv.URL}
	for k, v := range extra {
		s[k] = v
	}
	c, err := l.d.AddChannel(context.Background(), l.org.ID, kind, string(kind), s)
	if err != nil {
		l.t.Fatal(err)
	}
	return c
}

// post sends form to the public URL u as Twilio does, signed with token,
// and returns the status and body.
func (l *line) post(u, token string, form url.Values) (int, string) {
	l.t.Helper()
	req, err := http.NewRequest(http.MethodPost, strings.Replace(u, publicURL, l.hooks.URL, 1), strings.NewReader(form.Encode()))
	if err != nil {
		l.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Signature(token, u, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		l.t.Errorf("POST %s answered %s, want TwiML", u, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, string(b)
}

// conversations lists the line's conversations of kind once the jobs that
// follow a webhook (routing, media) have run, as the runner would.
func (l *line) conversations(kind model.ChannelKind) []*model.Conversation {
	l.t.Helper()
	l.runJobs()
	cs, _, err := l.s.Conversations(context.Background(), l.org.ID, store.ConversationFilter{Channel: kind})
	if err != nil {
		l.t.Fatal(err)
	}
	return cs
}

func (l *line) messages(convID int64) []*model.Message {
	l.t.Helper()
	ms, err := l.s.Messages(context.Background(), l.org.ID, convID, 0, 100)
	if err != nil {
		l.t.Fatal(err)
	}
	return ms
}

// calls are the inbound messages of a conversation (routing adds events).
func (l *line) calls(convID int64) []*model.Message {
	l.t.Helper()
	var out []*model.Message
	for _, m := range l.messages(convID) {
		if m.Direction == model.DirectionInbound {
			out = append(out, m)
		}
	}
	return out
}

func (l *line) runJobs() {
	l.t.Helper()
	if _, err := l.d.RunDueJobs(context.Background()); err != nil {
		l.t.Fatal(err)
	}
}

// inboundSMS is Twilio's documented incoming-message request, with one
// picture served by the fake.
func (l *line) inboundSMS(sid, body string) url.Values {
	return url.Values{
		"ToCountry": {"IT"}, "SmsMessageSid": {sid}, "NumMedia": {"1"}, "SmsSid": {sid}, "SmsStatus": {"received"},
		"Body": {body}, "FromCountry": {"IT"}, "To": {"+390612345678"}, "NumSegments": {"1"}, "MessageSid": {sid},
		"AccountSid": {accountSid}, "From": {caller}, "ApiVersion": {"2010-04-01"},
		"MediaContentType0": {"image/jpeg"},
		"MediaUrl0":         {l.twSrv.URL + "/2010-04-01/Accounts/" + accountSid + "/Messages/" + sid + "/Media/ME0123456789abcdef0123456789abcdef"},
	}
}

func TestTwilioSMSRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		l := newLine(t, s, time.Now())
		ch := l.channel(model.ChannelSMS, channel.Settings{"from": "+390612345678"})
		view := l.d.ViewChannel(ch)
		hook := view.Webhooks["sms"]
		if want := publicURL + "/hooks/twilio/" + itoa(ch.ID) + "/sms"; hook != want || view.Webhooks["status"] != publicURL+"/hooks/twilio/"+itoa(ch.ID)+"/status" {
			t.Fatalf("webhooks %v, want sms at %s", view.Webhooks, want)
		}
		if view.Settings["auth_token"] != channel.Masked {
			t.Errorf("the auth token shows: %v", view.Settings)
		}

		// A forged request and a malformed one store nothing.
		form := l.inboundSMS("MM0d8a7c5c6b8e3d2f1a0b9c8d7e6f5a4b3", "Buongiorno, ho perso il permesso di soggiorno")
		if code, _ := l.post(hook, "not-the-token", form); code != http.StatusForbidden {
			t.Errorf("bad signature: %d, want 403", code)
		}
		bad := url.Values{"MessageSid": {"SM1"}, "Body": {"x"}}
		if code, _ := l.post(hook, authToken, bad); code != http.StatusBadRequest {
			t.Errorf("no From: %d, want 400", code)
		}
		if code, _ := l.post(publicURL+"/hooks/twilio/999999/sms", authToken, form); code != http.StatusNotFound {
			t.Errorf("unknown channel: %d, want 404", code)
		}
		if got := l.conversations(model.ChannelSMS); len(got) != 0 {
			t.Fatalf("refused requests stored %d conversations", len(got))
		}

		// The SMS arrives (twice: Twilio retried) and is answered with empty TwiML.
		for range 2 {
			code, body := l.post(hook, authToken, form)
			if code != http.StatusOK || !strings.Contains(body, "<Response></Response>") {
				t.Fatalf("inbound SMS: %d %q", code, body)
			}
		}
		convs := l.conversations(model.ChannelSMS)
		if len(convs) != 1 || convs[0].Address.Value != caller || convs[0].LastSeq != 1 {
			t.Fatalf("conversations %+v: want one with one message from %s", convs, caller)
		}
		conv := convs[0]
		l.runJobs() // the picture is fetched with the account's credentials
		ms := l.messages(conv.ID)
		if len(ms) != 1 || ms[0].Body != "Buongiorno, ho perso il permesso di soggiorno" || len(ms[0].Attachments) != 1 || ms[0].Attachments[0].ContentType != "image/jpeg" {
			t.Fatalf("messages %+v: want the text with the picture", ms)
		}

		// The reply waits while Twilio is down, then goes out.
		l.tw.mu.Lock()
		l.tw.down = true
		l.tw.mu.Unlock()
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Buongiorno, venga giovedì alle 10 con un documento."}
		if err := l.d.Post(ctx, l.admin, conv.ID, reply); err != nil {
			t.Fatal(err)
		}
		l.runJobs()
		if m, _ := s.Message(ctx, l.org.ID, reply.ID); m.DeliveryStatus != model.DeliveryQueued {
			t.Fatalf("Twilio down: %s %q, want queued", m.DeliveryStatus, m.Error)
		}
		l.tw.mu.Lock()
		l.tw.down = false
		l.tw.mu.Unlock()
		if err := s.Enqueue(ctx, &store.Job{OrgID: l.org.ID, Kind: store.JobDeliver, MessageID: reply.ID}); err != nil {
			t.Fatal(err)
		}
		l.runJobs()
		sent := l.tw.messages()
		if len(sent) != 1 {
			t.Fatalf("Twilio got %d messages", len(sent))
		}
		if got := sent[0]; got.Get("To") != caller || got.Get("From") != "+390612345678" || got.Get("Body") != reply.Body ||
			got.Get("StatusCallback") != view.Webhooks["status"] {
			t.Errorf("Messages.json got %v", got)
		}
		m, _ := s.Message(ctx, l.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliverySent || m.ProviderMessageID != "SM1" {
			t.Fatalf("after sending: %s %q", m.DeliveryStatus, m.ProviderMessageID)
		}

		// Twilio reports: sent, then delivered; a forged report changes nothing.
		status := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}, "AccountSid": {accountSid}, "From": {"+390612345678"}, "To": {caller}, "ApiVersion": {"2010-04-01"}}
		if code, _ := l.post(view.Webhooks["status"], "forged", status); code != http.StatusForbidden {
			t.Errorf("forged status: %d", code)
		}
		for _, st := range []string{"sent", "delivered"} {
			status.Set("MessageStatus", st)
			if code, body := l.post(view.Webhooks["status"], authToken, status); code != http.StatusOK {
				t.Fatalf("status %s: %d %s", st, code, body)
			}
		}
		if m, _ := s.Message(ctx, l.org.ID, reply.ID); m.DeliveryStatus != model.DeliveryDelivered {
			t.Errorf("after the report: %s, want delivered", m.DeliveryStatus)
		}
		if l.tw.denied != 0 {
			t.Errorf("%d requests to Twilio without credentials", l.tw.denied)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// twiml is a TwiML document read back.
type twiml struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Kids    []twiml    `xml:",any"`
}

func parseTwiML(t testing.TB, body string) twiml {
	t.Helper()
	var doc twiml
	if err := xml.Unmarshal([]byte(body), &doc); err != nil || doc.XMLName.Local != "Response" {
		t.Fatalf("not TwiML (%v): %s", err, body)
	}
	return doc
}

// find returns the verbs named name, depth first.
func (n twiml) find(name string) []twiml {
	var out []twiml
	for _, k := range n.Kids {
		if k.XMLName.Local == name {
			out = append(out, k)
		}
		out = append(out, k.find(name)...)
	}
	return out
}

func (n twiml) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// one returns the only verb named name.
func (n twiml) one(t testing.TB, name string) twiml {
	t.Helper()
	v := n.find(name)
	if len(v) != 1 {
		t.Fatalf("want one <%s> in %+v", name, n)
	}
	return v[0]
}

func (n twiml) says() string {
	var b strings.Builder
	for _, s := range n.find("Say") {
		b.WriteString(s.attr("language") + ": " + s.Text + "\n")
	}
	return b.String()
}

// call is one phone call's signed callbacks.
type call struct {
	l   *line
	sid string
}

func (c call) form(extra ...string) url.Values {
	f := url.Values{"CallSid": {c.sid}, "AccountSid": {accountSid}, "From": {caller}, "To": {"+390612345678"}, "Caller": {caller},
		"Called": {"+390612345678"}, "CallStatus": {"in-progress"}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// at posts to a callback URL Twilio was given and reads the TwiML.
func (c call) at(u string, extra ...string) twiml {
	c.l.t.Helper()
	code, body := c.l.post(u, authToken, c.form(extra...))
	if code != http.StatusOK {
		c.l.t.Fatalf("POST %s: %d %s", u, code, body)
	}
	return parseTwiML(c.l.t, body)
}

// menus goes through the language and topic menus pressing lang, then topic.
func (c call) menus(hook, lang, topic string) twiml {
	c.l.t.Helper()
	doc := c.at(hook)
	g := doc.one(c.l.t, "Gather")
	doc = c.at(g.attr("action"), "Digits", lang)
	return c.at(doc.one(c.l.t, "Gather").attr("action"), "Digits", topic)
}

func TestTwilioVoiceFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		l := newLine(t, s, rome(20, 0))
		sms := l.channel(model.ChannelSMS, channel.Settings{"from": "+390612345678"})
		ch := l.channel(model.ChannelVoice, channel.Settings{"languages": "it,en,fr,ar,wo", "topics": "lavoro,casa,documenti",
			"forward_to": "+390611111111", "dial_timeout": "15", "audio_urls": "wo.lang=https://cdn.example.org/wo-lang.mp3"})
		cal := `{"time_zone":"Europe/Rome","weekly":{"tue":[{"start":"09:00","end":"13:00"}],"wed":[{"start":"09:00","end":"13:00"}]}}`
		if err := s.SetCalendar(ctx, l.org.ID, store.CalendarRef{ChannelID: ch.ID}, cal); err != nil {
			t.Fatal(err)
		}
		housing := &model.Team{OrgID: l.org.ID, Slug: "casa", Name: "Casa"}
		if err := s.CreateTeam(ctx, housing); err != nil {
			t.Fatal(err)
		}
		if err := l.d.SaveRoutingRule(ctx, l.admin, &routing.Rule{Name: "housing calls", Channel: model.ChannelVoice, Topic: "casa", TeamID: housing.ID}); err != nil {
			t.Fatal(err)
		}
		hooksOf := l.d.ViewChannel(ch).Webhooks
		voice := hooksOf["voice"]
		if voice != publicURL+"/hooks/twilio/"+itoa(ch.ID)+"/voice" || hooksOf["call_status"] != voice+"/status" {
			t.Fatalf("voice webhooks %v", hooksOf)
		}

		// The citizen texted first: the SMS and the calls are one contact.
		if code, _ := l.post(l.d.ViewChannel(sms).Webhooks["sms"], authToken, l.inboundSMS("SM0001", "Vi chiamo stasera")); code != http.StatusOK {
			t.Fatal("inbound SMS refused")
		}

		// A forged call is refused and stores nothing.
		first := call{l, "CA0000000000000000000000000000000f"}
		if code, _ := l.post(voice, "forged", first.form()); code != http.StatusForbidden {
			t.Errorf("forged call: %d, want 403", code)
		}

		if code, _ := l.post(voice, authToken, url.Values{"From": {caller}}); code != http.StatusBadRequest {
			t.Errorf("a call without CallSid: %d, want 400", code)
		}

		// The language menu offers each language in itself.
		doc := first.at(voice)
		g := doc.one(t, "Gather")
		wantSays := "it-IT: Per l'italiano, premi 1.\nen-GB: For English, press 2.\nfr-FR: Pour le français, tapez 3.\narb: للعربية، اضغط 4.\n"
		if got := g.says(); got != wantSays {
			t.Errorf("language menu says\n%s\nwant\n%s", got, wantSays)
		}
		if p := g.find("Play"); len(p) != 1 || p[0].Text != "https://cdn.example.org/wo-lang.mp3" {
			t.Errorf("Wolof, which Twilio cannot speak, is not offered by its recording: %+v", p)
		}
		if !strings.Contains(g.attr("action"), "step=lang") || doc.one(t, "Redirect").Text == "" {
			t.Errorf("language menu %+v", doc)
		}

		// Tampering with the menu state in the URL breaks the signature.
		forgedURL := strings.Replace(g.attr("action"), "step=lang", "step=recorded", 1)
		req, _ := http.NewRequest(http.MethodPost, strings.Replace(forgedURL, publicURL, l.hooks.URL, 1), strings.NewReader(first.form("Digits", "1").Encode()))
		req.Header.Set(twilio.SignatureHeader, twilio.Signature(authToken, g.attr("action"), first.form("Digits", "1")))
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("a changed state was accepted: %v %v", resp.StatusCode, err)
		}

		// Italian, then "casa"; at 20:00 the desk is closed: voicemail.
		doc = first.at(g.attr("action"), "Digits", "1")
		if got := doc.one(t, "Gather").says(); got != "it-IT: Per lavoro, premi 1.\nit-IT: Per casa, premi 2.\nit-IT: Per documenti e permesso di soggiorno, premi 3.\n" {
			t.Errorf("topic menu says\n%s", got)
		}
		doc = first.at(doc.one(t, "Gather").attr("action"), "Digits", "2")
		if got := doc.says(); !strings.HasPrefix(got, "it-IT: Lo sportello ora è chiuso e riapre domani alle 9:00. Lasci un messaggio") {
			t.Errorf("closed message: %s", got)
		}
		if len(doc.find("Dial")) != 0 {
			t.Errorf("a closed desk forwards the call")
		}
		rec := doc.one(t, "Record")
		if rec.attr("maxLength") != "120" || !strings.Contains(rec.attr("action"), "why=closed") || !strings.Contains(rec.attr("recordingStatusCallback"), "step=recording") {
			t.Errorf("record %+v", rec)
		}
		if got := l.conversations(model.ChannelVoice); len(got) != 0 {
			t.Fatalf("the menus stored %d conversations", len(got))
		}

		// The caller records 42 seconds; Twilio calls the action, then
		// the recording status callback, then the call's final status.
		recURL := l.twSrv.URL + "/2010-04-01/Accounts/" + accountSid + "/Recordings/RE1234567890abcdef1234567890abcdef"
		recording := []string{"RecordingUrl", recURL, "RecordingSid", "RE1234567890abcdef1234567890abcdef", "RecordingDuration", "42", "Digits", "hangup"}
		doc = first.at(rec.attr("action"), recording...)
		if len(doc.find("Hangup")) != 1 || !strings.Contains(doc.says(), "Grazie") {
			t.Errorf("after the recording: %+v", doc)
		}
		first.at(rec.attr("recordingStatusCallback"), append(recording, "RecordingStatus", "completed")...)
		first.at(hooksOf["call_status"], "CallStatus", "completed", "CallDuration", "75")
		convs := l.conversations(model.ChannelVoice)
		if len(convs) != 1 || convs[0].Language != "it" {
			t.Fatalf("voice conversations %+v: want one, in Italian", convs)
		}
		conv := convs[0]
		if conv.TeamID != housing.ID {
			t.Errorf("the call about housing went to team %d, want %d", conv.TeamID, housing.ID)
		}
		if smsConv := l.conversations(model.ChannelSMS); len(smsConv) != 1 || smsConv[0].ContactID != conv.ContactID {
			t.Errorf("the SMS and the call are different contacts")
		}
		l.runJobs() // the recording is fetched as MP3
		ms := l.calls(conv.ID)
		if len(ms) != 1 {
			t.Fatalf("%d messages for one call", len(ms))
		}
		if want := "Call from " + caller + ", language Italian, topic housing while the desk was closed: voicemail 0:42."; ms[0].Body != want {
			t.Errorf("call log %q, want %q", ms[0].Body, want)
		}
		if len(ms[0].Attachments) != 1 || ms[0].Attachments[0].ContentType != "audio/mpeg" {
			t.Errorf("voicemail attachments %+v", ms[0].Attachments)
		}

		// At 10:00 the desk is open: the call is forwarded, answered, logged.
		l.clock.set(rome(10, 0))
		second := call{l, "CA0000000000000000000000000000002f"}
		doc = second.menus(voice, "2", "1")
		dial := doc.one(t, "Dial")
		if dial.Text != "+390611111111" || dial.attr("timeout") != "15" || !strings.Contains(doc.says(), "en-GB: Please hold") {
			t.Fatalf("open desk: %+v", doc)
		}
		doc = second.at(dial.attr("action"), "DialCallStatus", "completed", "DialCallDuration", "185")
		if len(doc.find("Hangup")) != 1 {
			t.Errorf("after the forwarded call: %+v", doc)
		}
		second.at(hooksOf["call_status"], "CallStatus", "completed", "CallDuration", "200")
		ms = l.calls(conv.ID)
		if len(ms) != 2 || ms[1].Body != "Call from "+caller+", language English, topic work: answered by the on-duty phone, 3:05." {
			t.Fatalf("answered call log: %+v", ms)
		}

		// Nobody answers: voicemail, saying so.
		third := call{l, "CA0000000000000000000000000000003f"}
		dial = third.menus(voice, "3", "3").one(t, "Dial")
		doc = third.at(dial.attr("action"), "DialCallStatus", "no-answer", "DialCallDuration", "0")
		rec = doc.one(t, "Record")
		if !strings.Contains(doc.says(), "fr-FR: Personne ne peut répondre") || !strings.Contains(rec.attr("action"), "why=noanswer") {
			t.Errorf("no answer: %+v", doc)
		}
		third.at(rec.attr("action"), "RecordingUrl", recURL, "RecordingSid", "RE3", "RecordingDuration", "9")

		// Wolof has no voice: after choosing it the topics are said in
		// the line's first language.
		wolof := call{l, "CA0000000000000000000000000000005f"}
		doc = wolof.at(wolof.at(voice).one(t, "Gather").attr("action"), "Digits", "5")
		if got := doc.one(t, "Gather").says(); !strings.HasPrefix(got, "it-IT: Per lavoro, premi 1.") {
			t.Errorf("topics after choosing Wolof: %q", got)
		}

		// A caller who hangs up in the menu still shows, as a missed call.
		fourth := call{l, "CA0000000000000000000000000000004f"}
		fourth.at(voice)
		fourth.at(hooksOf["call_status"], "CallStatus", "completed", "CallDuration", "20")
		l.runJobs()
		ms = l.calls(conv.ID)
		if len(ms) != 4 {
			t.Fatalf("%d messages after four calls", len(ms))
		}
		if !strings.HasPrefix(ms[2].Body, "Missed call from "+caller+", language French, topic documents and residence permits: nobody answered, voicemail 0:09") ||
			len(ms[2].Attachments) != 1 {
			t.Errorf("unanswered call log %q %+v", ms[2].Body, ms[2].Attachments)
		}
		if ms[3].Body != "Missed call from "+caller+", 0:20, no voicemail." {
			t.Errorf("missed call log %q", ms[3].Body)
		}

		// A reply cannot be spoken: without sms_from it fails, saying why.
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "La richiamiamo domani."}
		if err := l.d.Post(ctx, l.admin, conv.ID, reply); err != nil {
			t.Fatal(err)
		}
		l.runJobs()
		m, _ := s.Message(ctx, l.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliveryFailed || !strings.Contains(m.Error, "phone line") {
			t.Errorf("reply on the phone line: %s %q", m.DeliveryStatus, m.Error)
		}
		for _, f := range l.tw.messages() {
			if f.Get("Body") == reply.Body {
				t.Errorf("a reply on a line without sms_from went out")
			}
		}
	})
}

// BenchmarkTwilioSMSWebhook measures one signed SMS through the real
// webhook: HTTP, signature, parsing and the durable write (SQLite).
func BenchmarkTwilioSMSWebhook(b *testing.B) {
	l := newLine(b, storetest.Open(b, store.SQLite), time.Now())
	hook := l.d.ViewChannel(l.channel(model.ChannelSMS, channel.Settings{"from": "+390612345678"})).Webhooks["sms"]
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f := url.Values{"MessageSid": {"SM" + strconv.Itoa(i)}, "From": {caller}, "To": {"+390612345678"}, "Body": {"Buongiorno"},
			"NumMedia": {"0"}, "AccountSid": {accountSid}, "ApiVersion": {"2010-04-01"}}
		if code, body := l.post(hook, authToken, f); code != http.StatusOK {
			b.Fatalf("%d %s", code, body)
		}
	}
}

func TestTwilioVoiceRepliesBySMS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		l := newLine(t, s, time.Now())
		ch := l.channel(model.ChannelVoice, channel.Settings{"languages": "it", "sms_from": "+39 06 9999 9999"})
		hooksOf := l.d.ViewChannel(ch).Webhooks
		c := call{l, "CA00000000000000000000000000000001"}
		doc := c.at(hooksOf["voice"]) // one language, no topics, open, no forward_to: voicemail
		rec := doc.one(t, "Record")
		if !strings.Contains(doc.says(), "nessuno può rispondere") || !strings.Contains(rec.attr("action"), "why=noanswer") {
			t.Errorf("open line without an on-duty phone: %+v", doc)
		}
		c.at(rec.attr("action"), "RecordingUrl", l.twSrv.URL+"/2010-04-01/Accounts/"+accountSid+"/Recordings/RE1", "RecordingSid", "RE1", "RecordingDuration", "5")
		convs := l.conversations(model.ChannelVoice)
		if len(convs) != 1 {
			t.Fatalf("conversations %+v", convs)
		}
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Abbiamo ascoltato il messaggio: la richiamiamo alle 10."}
		if err := l.d.Post(ctx, l.admin, convs[0].ID, reply); err != nil {
			t.Fatal(err)
		}
		l.runJobs()
		var got url.Values
		for _, f := range l.tw.messages() {
			if f.Get("Body") == reply.Body {
				got = f
			}
		}
		if got.Get("From") != "+390699999999" || got.Get("To") != caller || got.Get("StatusCallback") != hooksOf["status"] {
			t.Fatalf("the reply as SMS: %v", got)
		}
		m, _ := s.Message(ctx, l.org.ID, reply.ID)
		status := url.Values{"MessageSid": {m.ProviderMessageID}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}, "AccountSid": {accountSid}}
		if code, body := l.post(hooksOf["status"], authToken, status); code != http.StatusOK {
			t.Fatalf("status: %d %s", code, body)
		}
		m, _ = s.Message(ctx, l.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliveryFailed || !strings.Contains(m.Error, "30003") {
			t.Errorf("after the report: %s %q, want failed with Twilio's code", m.DeliveryStatus, m.Error)
		}
	})
}
