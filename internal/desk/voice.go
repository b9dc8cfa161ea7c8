package desk

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/twilio"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
)

// The phone line (a Twilio voice channel). A call goes through a menu of
// languages, then of topics, both from the channel's settings; while the
// desk is open (the channel's calendar, else the organisation's) it is
// forwarded to the on-duty phone, otherwise, or when nobody answers, the
// caller leaves a voicemail after hearing when the desk reopens. Every
// call ends up as one inbound message on the caller's conversation —
// answered, voicemail (with the recording attached) or missed — with the
// language and topic chosen, so it is routed like any message.

// menuTries is how many times a menu is repeated when no valid key is
// pressed before the first choice is taken.
const menuTries = 2

// VoiceCall answers one of Twilio's voice callbacks on channel c (already
// authenticated by its signature) in step st: the TwiML to play, and the
// events to store (a call's log, once it is known how it ended).
func (d *Service) VoiceCall(ctx context.Context, c *model.Channel, s channel.Settings, st twilio.State, call twilio.Call) (*twilio.Response, []channel.Event, error) {
	v, err := d.newVoice(ctx, c, s, st)
	if err != nil {
		return nil, nil, err
	}
	resp := &twilio.Response{}
	switch st.Step {
	case "":
		if len(v.langs) == 1 {
			return v.topicMenu(ctx, resp, v.langs[0], 0)
		}
		return v.languageMenu(resp, 0), nil, nil
	case "lang":
		if n, ok := v.choice(call.Digits, len(v.langs)); ok {
			return v.topicMenu(ctx, resp, v.langs[n], 0)
		}
		if st.Try < menuTries {
			return v.languageMenu(resp, st.Try+1), nil, nil
		}
		return v.topicMenu(ctx, resp, v.langs[0], 0)
	case "topic":
		if n, ok := v.choice(call.Digits, len(v.topics)); ok {
			return v.route(ctx, resp, v.lang, v.topics[n])
		}
		if st.Try < menuTries {
			return v.topicMenu(ctx, resp, v.lang, st.Try+1)
		}
		return v.route(ctx, resp, v.lang, "")
	case "dialed":
		if call.DialCallStatus == "completed" || call.DialCallStatus == "answered" {
			ev, err := v.callLog(ctx, call, "voice.log_answered", call.DialCallDuration)
			return resp.Add(&twilio.Hangup{}), ev, err
		}
		return v.voicemail(ctx, resp, "noanswer"), nil, nil
	case "recorded", "recording":
		if st.Step == "recorded" {
			resp.Add(v.prompt("thanks", "voice.thanks", nil), &twilio.Hangup{})
		}
		if call.RecordingURL == "" || (st.Step == "recording" && call.RecordingStatus != "completed") {
			return resp, nil, nil
		}
		key := "voice.log_voicemail_closed"
		if st.Why == "noanswer" {
			key = "voice.log_voicemail_noanswer"
		}
		ev, err := v.callLog(ctx, call, key, call.RecordingDuration)
		for i := range ev {
			ev[i].Media = []channel.Media{call.RecordingMedia()}
			ev[i].Kind = "audio"
		}
		return resp, ev, err
	}
	return nil, nil, model.Invalid("step", "twilio.bad_step", "unknown step of the phone menu", nil)
}

// VoiceStatus handles the call's final status (the number's "call status
// changes" callback): a call that ended before it was answered or a
// voicemail was left still shows on the caller's conversation. When the
// call was logged already this stores nothing (same provider id).
func (d *Service) VoiceStatus(ctx context.Context, c *model.Channel, s channel.Settings, call twilio.Call) ([]channel.Event, error) {
	switch call.CallStatus {
	case "completed", "busy", "no-answer", "failed", "canceled":
	default:
		return nil, nil
	}
	v, err := d.newVoice(ctx, c, s, twilio.State{})
	if err != nil {
		return nil, err
	}
	return v.callLog(ctx, call, "voice.log_missed", call.CallDuration)
}

// voice is one callback's view of the line.
type voice struct {
	d       *Service
	c       *model.Channel
	s       channel.Settings
	st      twilio.State
	langs   []string
	topics  []string
	lang    string // the caller's choice, when made
	topic   string
	audio   map[string]string
	bundle  *locale.Bundle
	orgLang string
}

func (d *Service) newVoice(ctx context.Context, c *model.Channel, s channel.Settings, st twilio.State) (*voice, error) {
	b, err := d.routes.bundle()
	if err != nil {
		return nil, err
	}
	org, err := d.st.Organization(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	v := &voice{d: d, c: c, s: s, st: st, langs: twilio.List(s.Get("languages", "it")), topics: twilio.List(s["topics"]),
		audio: twilio.AudioURLs(s), bundle: b, orgLang: org.Language}
	if len(v.langs) == 0 {
		v.langs = []string{org.Language}
	}
	v.langs = v.langs[:min(len(v.langs), 9)]
	v.topics = v.topics[:min(len(v.topics), 9)]
	// The state comes back signed, but a setting may have changed since.
	if slices.Contains(v.langs, st.Lang) {
		v.lang = st.Lang
	} else {
		v.lang = v.langs[0]
	}
	if slices.Contains(v.topics, st.Topic) {
		v.topic = st.Topic
	}
	return v, nil
}

// choice reads a key press 1…n into an index.
func (v *voice) choice(digits string, n int) (int, bool) {
	k, err := strconv.Atoi(digits)
	if err != nil || k < 1 || k > n {
		return 0, false
	}
	return k - 1, true
}

// url is the callback URL of a step, as Twilio will call and sign it.
func (v *voice) url(st twilio.State) string {
	return twilio.HookURL(v.s, v.c.ID, "/voice?"+st.Query())
}

// spoken is the language prompts are said in for the caller's choice:
// itself when we have its texts and Twilio a voice, else the first of
// the line's languages that qualifies, else Italian.
func (v *voice) spoken(lang string) string {
	for _, l := range append([]string{lang}, v.langs...) {
		if v.bundle.Supported(l) && twilio.Speaks(l) {
			return l
		}
	}
	return "it"
}

// prompt is a recording of name in the caller's language when one is
// configured, else key said in the spoken language.
func (v *voice) prompt(name, key string, args map[string]any) any {
	if u := v.audio[v.lang+"."+name]; u != "" {
		return &twilio.Play{URL: u}
	}
	l := v.spoken(v.lang)
	if s := twilio.SayIn(l, v.bundle.Printer(l).T(key, args)); s != nil {
		return s
	}
	return nil
}

// languageMenu offers each language in itself: "per l'italiano premi 1,
// for English press 2…". A language Twilio cannot speak is offered by
// its recording, or silently.
func (v *voice) languageMenu(resp *twilio.Response, try int) *twilio.Response {
	g := &twilio.Gather{Input: "dtmf", NumDigits: 1, Timeout: 6, Method: "POST", Action: v.url(twilio.State{Step: "lang", Try: try})}
	for i, l := range v.langs {
		if u := v.audio[l+".lang"]; u != "" {
			g.Verbs = append(g.Verbs, &twilio.Play{URL: u})
			continue
		}
		if !v.bundle.Supported(l) {
			continue
		}
		if s := twilio.SayIn(l, v.bundle.Printer(l).T("voice.menu_language", map[string]any{"Value": i + 1})); s != nil {
			g.Verbs = append(g.Verbs, s)
		}
	}
	return resp.Add(g, &twilio.Redirect{Method: "POST", URL: v.url(twilio.State{Step: "lang", Try: try})})
}

// topicMenu offers the line's topics in the chosen language; with none,
// the call goes on at once.
func (v *voice) topicMenu(ctx context.Context, resp *twilio.Response, lang string, try int) (*twilio.Response, []channel.Event, error) {
	v.lang = lang
	if len(v.topics) == 0 {
		return v.route(ctx, resp, lang, "")
	}
	next := twilio.State{Step: "topic", Lang: lang, Try: try}
	g := &twilio.Gather{Input: "dtmf", NumDigits: 1, Timeout: 6, Method: "POST", Action: v.url(next)}
	if u := v.audio[lang+".topics"]; u != "" {
		g.Verbs = append(g.Verbs, &twilio.Play{URL: u})
	} else {
		l := v.spoken(lang)
		pr := v.bundle.Printer(l)
		for i, t := range v.topics {
			if s := twilio.SayIn(l, pr.T("voice.menu_topic", map[string]any{"Name": topicName(pr, t), "Value": i + 1})); s != nil {
				g.Verbs = append(g.Verbs, s)
			}
		}
	}
	return resp.Add(g, &twilio.Redirect{Method: "POST", URL: v.url(next)}), nil, nil
}

// topicKeys are the topics the catalogs name; any other code is said as
// written.
var topicKeys = map[string]string{
	"lavoro": "voice.topic_lavoro", "casa": "voice.topic_casa", "documenti": "voice.topic_documenti",
	"salute": "voice.topic_salute", "scuola": "voice.topic_scuola", "famiglia": "voice.topic_famiglia",
	"legale": "voice.topic_legale", "violenza": "voice.topic_violenza", "altro": "voice.topic_altro",
}

func topicName(pr *locale.Printer, code string) string {
	if k, ok := topicKeys[code]; ok {
		return pr.T(k, nil)
	}
	return code
}

// route sends the call on once language and topic are chosen: to the
// on-duty phone while the desk is open and one is set, else to voicemail.
func (v *voice) route(ctx context.Context, resp *twilio.Response, lang, topic string) (*twilio.Response, []channel.Event, error) {
	v.lang, v.topic = lang, topic
	hs, err := v.d.HoursAt(ctx, v.c.OrgID, 0, v.c.ID, v.d.now())
	if err != nil {
		return nil, nil, err
	}
	to := v.s["forward_to"]
	if !hs.Open {
		return v.voicemail(ctx, resp, "closed"), nil, nil
	}
	if to == "" { // open, but nobody on duty by phone
		return v.voicemail(ctx, resp, "noanswer"), nil, nil
	}
	timeout, _ := strconv.Atoi(v.s.Get("dial_timeout", "20"))
	resp.Add(v.prompt("connecting", "voice.connecting", nil),
		&twilio.Dial{Number: to, Timeout: min(max(timeout, 5), 120), Method: "POST",
			Action: v.url(twilio.State{Step: "dialed", Lang: lang, Topic: topic})})
	return resp, nil, nil
}

// voicemail says why nobody answers (and, when closed, when the desk
// reopens) and records a message.
func (v *voice) voicemail(ctx context.Context, resp *twilio.Response, why string) *twilio.Response {
	switch why {
	case "noanswer":
		resp.Add(v.prompt("no_answer", "voice.no_answer", nil))
	default:
		why = "closed"
		resp.Add(v.closedPrompt(ctx))
	}
	maxLen, _ := strconv.Atoi(v.s.Get("voicemail_max", "120"))
	st := twilio.State{Lang: v.lang, Topic: v.topic, Why: why}
	done, ready := st, st
	done.Step, ready.Step = "recorded", "recording"
	resp.Add(&twilio.Record{MaxLength: min(max(maxLen, 10), 600), PlayBeep: true, FinishOnKey: "#", Method: "POST",
		Action: v.url(done), RecordingStatusCallback: v.url(ready), RecordingStatusCallbackEvent: "completed"})
	// With nothing recorded Twilio goes on here.
	return resp.Add(v.prompt("thanks", "voice.thanks", nil), &twilio.Hangup{})
}

// closedPrompt says that the desk is closed and when it reopens, on the
// desk's clock.
func (v *voice) closedPrompt(ctx context.Context) any {
	if u := v.audio[v.lang+".closed"]; u != "" {
		return &twilio.Play{URL: u}
	}
	l := v.spoken(v.lang)
	pr := v.bundle.Printer(l)
	now := v.d.now()
	text := pr.T("voice.closed", nil)
	if sched, err := v.d.scheduleFor(ctx, v.c.OrgID, 0, v.c.ID); err == nil && sched != nil {
		if next, ok := sched.NextOpen(now); ok {
			text = pr.T("voice.closed_until", map[string]any{"Value": whenText(pr, sched.Location(), now, next)})
		}
	}
	return twilio.SayIn(l, text)
}

// callLog is the inbound message a call leaves on the caller's
// conversation, in the desk's language: "Call from +39…, language
// Italian, topic work: answered by the on-duty phone, 3:05." Its
// provider id is the call's, so a call is logged once.
func (v *voice) callLog(ctx context.Context, call twilio.Call, key string, seconds int) ([]channel.Event, error) {
	if call.From == "" {
		return nil, nil // a hidden number: there is no contact to log it on
	}
	pr := v.bundle.Printer(v.orgLang)
	details := ""
	if v.st.Lang != "" {
		details = pr.T("voice.log_language", map[string]any{"Name": languageName(v.lang, pr.Lang())})
		if v.topic != "" {
			details += pr.T("voice.log_topic", map[string]any{"Name": topicName(pr, v.topic)})
		}
	}
	text := pr.T(key, map[string]any{"Value": call.From, "Name": details, "Duration": fmt.Sprintf("%d:%02d", seconds/60, seconds%60)})
	ev := channel.Event{Type: channel.EventMessage, ProviderID: call.Sid, From: model.Identity{Kind: model.IdentityPhone, Value: call.From},
		Text: text, Kind: "call", Topic: v.topic, At: v.d.now()}
	if v.st.Lang != "" {
		ev.Language = v.lang
	} else {
		// No choice heard (a call that ended in the first menu): the
		// line's first language, rather than a guess from this text,
		// which is in the desk's language.
		ev.Language = v.langs[0]
	}
	return []channel.Event{ev}, nil
}

// languageName is lang's name in the language in: "italiano", "Arabic".
func languageName(lang, in string) string {
	t, err := language.Parse(lang)
	if err != nil {
		return lang
	}
	if namer := display.Tags(language.Make(in)); namer != nil {
		if n := namer.Name(t); n != "" {
			return n
		}
	}
	return lang
}
