package twilio

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/channel"
)

// TwiML: the verbs the phone line answers with.

// Response is a TwiML document.
type Response struct {
	XMLName xml.Name `xml:"Response"`
	Verbs   []any
}

// Marshal renders the document with its XML header.
func (r *Response) Marshal() []byte {
	b, err := xml.Marshal(r)
	if err != nil { // only our own verb types are in it
		panic(err)
	}
	return append([]byte(xml.Header), b...)
}

// Add appends verbs, skipping nil ones (a prompt with nothing to say).
func (r *Response) Add(verbs ...any) *Response {
	for _, v := range verbs {
		if v != nil {
			r.Verbs = append(r.Verbs, v)
		}
	}
	return r
}

// Say speaks text with Twilio's text-to-speech.
type Say struct {
	XMLName  xml.Name `xml:"Say"`
	Language string   `xml:"language,attr,omitempty"`
	Voice    string   `xml:"voice,attr,omitempty"`
	Text     string   `xml:",chardata"`
}

// Play plays a recording.
type Play struct {
	XMLName xml.Name `xml:"Play"`
	URL     string   `xml:",chardata"`
}

// Gather collects one key press and posts it (Digits) to Action; with no
// key press the call goes on with the next verb.
type Gather struct {
	XMLName   xml.Name `xml:"Gather"`
	Input     string   `xml:"input,attr"`
	NumDigits int      `xml:"numDigits,attr"`
	Timeout   int      `xml:"timeout,attr"`
	Action    string   `xml:"action,attr"`
	Method    string   `xml:"method,attr"`
	Verbs     []any
}

// Dial forwards the call to Number; Action learns how it went
// (DialCallStatus, DialCallDuration).
type Dial struct {
	XMLName xml.Name `xml:"Dial"`
	Timeout int      `xml:"timeout,attr"`
	Action  string   `xml:"action,attr"`
	Method  string   `xml:"method,attr"`
	Number  string   `xml:",chardata"`
}

// Record records a voicemail after a beep. Action is called when it
// ends; RecordingStatusCallback when the file is ready.
type Record struct {
	XMLName                      xml.Name `xml:"Record"`
	MaxLength                    int      `xml:"maxLength,attr"`
	PlayBeep                     bool     `xml:"playBeep,attr"`
	FinishOnKey                  string   `xml:"finishOnKey,attr"`
	Action                       string   `xml:"action,attr"`
	Method                       string   `xml:"method,attr"`
	RecordingStatusCallback      string   `xml:"recordingStatusCallback,attr"`
	RecordingStatusCallbackEvent string   `xml:"recordingStatusCallbackEvent,attr"`
}

// Redirect continues the call with the TwiML at URL.
type Redirect struct {
	XMLName xml.Name `xml:"Redirect"`
	Method  string   `xml:"method,attr"`
	URL     string   `xml:",chardata"`
}

// Hangup ends the call.
type Hangup struct {
	XMLName xml.Name `xml:"Hangup"`
}

// sayVoices are the languages Twilio's text-to-speech speaks, with the
// language code and Amazon Polly voice <Say> takes. Wolof, Bambara,
// Fula, Pidgin and Mandinka have no voice: use recordings (audio_urls).
var sayVoices = map[string][2]string{
	"it": {"it-IT", "Polly.Bianca"},
	"en": {"en-GB", "Polly.Amy"},
	"fr": {"fr-FR", "Polly.Lea"},
	"es": {"es-ES", "Polly.Lucia"},
	"ar": {"arb", "Polly.Zeina"},
	"de": {"de-DE", "Polly.Vicki"},
	"pt": {"pt-PT", "Polly.Ines"},
	"ro": {"ro-RO", "Polly.Carmen"},
	"ru": {"ru-RU", "Polly.Tatyana"},
	"tr": {"tr-TR", "Polly.Filiz"},
	"pl": {"pl-PL", "Polly.Ewa"},
	"zh": {"cmn-CN", "Polly.Zhiyu"},
	"hi": {"hi-IN", "Polly.Aditi"},
}

// Speaks reports whether Twilio's text-to-speech speaks lang.
func Speaks(lang string) bool {
	_, ok := sayVoices[lang]
	return ok
}

// SayIn is text spoken in lang, or nil when Twilio cannot speak lang.
func SayIn(lang, text string) *Say {
	v, ok := sayVoices[lang]
	if !ok || strings.TrimSpace(text) == "" {
		return nil
	}
	return &Say{Language: v[0], Voice: v[1], Text: text}
}

// List reads a comma-separated setting ("it,en,fr") into its items.
func List(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// AudioURLs reads audio_urls: "wo.lang=https://…,wo.topics=https://…"
// maps a language and a prompt name to a recording played instead of
// text-to-speech.
func AudioURLs(s channel.Settings) map[string]string {
	out := map[string]string{}
	for _, item := range List(s["audio_urls"]) {
		k, v, ok := strings.Cut(item, "=")
		if ok && strings.Contains(k, ".") && (strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://")) {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// State is where a call is in the phone menu. It travels in the query of
// the callback URLs given to Twilio, which signs the whole URL: a caller
// cannot change it, and nothing is kept on our side between callbacks.
type State struct {
	Step  string // "" (the call starts), lang, topic, dialed, recorded, recording
	Lang  string
	Topic string
	Why   string // why voicemail: closed, noanswer
	Try   int    // menu repetitions so far
}

// Query encodes the state for a callback URL.
func (s State) Query() string {
	v := url.Values{}
	set := func(k, x string) {
		if x != "" {
			v.Set(k, x)
		}
	}
	set("step", s.Step)
	set("lang", s.Lang)
	set("topic", s.Topic)
	set("why", s.Why)
	if s.Try > 0 {
		v.Set("try", strconv.Itoa(s.Try))
	}
	return v.Encode()
}

// ParseState reads the state of a callback URL's query.
func ParseState(q url.Values) State {
	try, _ := strconv.Atoi(q.Get("try"))
	return State{Step: q.Get("step"), Lang: q.Get("lang"), Topic: q.Get("topic"), Why: q.Get("why"), Try: min(max(try, 0), 9)}
}

// Call is what a voice callback tells about the call.
type Call struct {
	Sid               string
	From              string // E.164
	Digits            string
	CallStatus        string
	CallDuration      int // seconds, on the final status callback
	DialCallStatus    string
	DialCallDuration  int
	RecordingURL      string
	RecordingSid      string
	RecordingStatus   string
	RecordingDuration int
}

// ParseCall reads a voice callback's form.
func ParseCall(form url.Values) (Call, error) {
	c := Call{
		Sid:             strings.TrimSpace(form.Get("CallSid")),
		Digits:          strings.TrimSpace(form.Get("Digits")),
		CallStatus:      form.Get("CallStatus"),
		DialCallStatus:  form.Get("DialCallStatus"),
		RecordingURL:    strings.TrimSpace(form.Get("RecordingUrl")),
		RecordingSid:    strings.TrimSpace(form.Get("RecordingSid")),
		RecordingStatus: form.Get("RecordingStatus"),
	}
	if c.Sid == "" {
		return Call{}, fmt.Errorf("%w: no CallSid", ErrMalformed)
	}
	from, err := phone(form.Get("From"))
	if err != nil {
		// A hidden caller id ("anonymous", "+266696687") still calls;
		// the callbacks that follow a Dial or Record may omit From.
		from.Value = ""
	}
	c.From = from.Value
	c.CallDuration, _ = strconv.Atoi(form.Get("CallDuration"))
	c.DialCallDuration, _ = strconv.Atoi(form.Get("DialCallDuration"))
	c.RecordingDuration, _ = strconv.Atoi(form.Get("RecordingDuration"))
	for _, p := range []*int{&c.CallDuration, &c.DialCallDuration, &c.RecordingDuration} {
		*p = min(max(*p, 0), 24*3600)
	}
	return c, nil
}

// RecordingMedia is the voicemail as media to download: Twilio serves
// the recording as MP3 at its URL plus ".mp3".
func (c Call) RecordingMedia() channel.Media {
	ref := c.RecordingURL
	if !strings.HasSuffix(ref, ".mp3") && !strings.HasSuffix(ref, ".wav") {
		ref += ".mp3"
	}
	name := "voicemail.mp3"
	if c.RecordingSid != "" {
		name = "voicemail-" + c.RecordingSid + ".mp3"
	}
	return channel.Media{Ref: ref, ContentType: "audio/mpeg", Filename: name}
}
