package twilio_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/twilio"
	"github.com/sportello/sportello/internal/model"
)

// docParams is the worked example of Twilio's "Webhooks security"
// page: auth token 12345, URL https://mycompany.com/myapp.php?foo=1&bar=2.
func docParams(caller string) url.Values {
	return url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {caller},
		"Digits":  {"1234"},
		"From":    {caller},
		"To":      {"+18005551212"},
	}
}

func TestSignatureMatchesTwiliosExample(t *testing.T) {
	const u = "https://mycompany.com/myapp.php?foo=1&bar=2"
	for _, tt := range []struct{ caller, want string }{
		{"+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="}, // the page as published today
		{"+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, // its earlier edition, kept in Twilio's helper libraries' tests
	} {
		if got := twilio.Signature("12345", u, docParams(tt.caller)); got != tt.want {
			t.Errorf("caller %s: signature %q, want %q", tt.caller, got, tt.want)
		}
		if !twilio.Valid("12345", u, docParams(tt.caller), tt.want) {
			t.Errorf("caller %s: the documented signature is refused", tt.caller)
		}
	}
	p := docParams("+14158675310")
	for name, ok := range map[string]bool{
		"wrong token": twilio.Valid("54321", u, p, "GvWf1cFY/Q7PnoempGyD5oXAezc="),
		"other URL":   twilio.Valid("12345", "http://mycompany.com/myapp.php?foo=1&bar=2", p, "GvWf1cFY/Q7PnoempGyD5oXAezc="),
		"no token":    twilio.Valid("", u, p, twilio.Signature("", u, p)),
		"no header":   twilio.Valid("12345", u, p, ""),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
	p.Set("Digits", "9999")
	if twilio.Valid("12345", u, p, "GvWf1cFY/Q7PnoempGyD5oXAezc=") {
		t.Errorf("a changed parameter is accepted")
	}
}

// inboundMMS is Twilio's documented incoming-message request (Messaging
// webhooks), with one picture.
func inboundMMS() url.Values {
	return url.Values{
		"ToCountry": {"IT"}, "ToState": {""}, "SmsMessageSid": {"MM0d8a7c5c6b8e3d2f1a0b9c8d7e6f5a4b3"},
		"NumMedia": {"1"}, "ToCity": {""}, "FromZip": {""}, "SmsSid": {"MM0d8a7c5c6b8e3d2f1a0b9c8d7e6f5a4b3"},
		"FromState": {""}, "SmsStatus": {"received"}, "FromCity": {""}, "Body": {"Buongiorno, ho perso il permesso di soggiorno"},
		"FromCountry": {"IT"}, "To": {"+390612345678"}, "ToZip": {""}, "NumSegments": {"1"},
		"MessageSid": {"MM0d8a7c5c6b8e3d2f1a0b9c8d7e6f5a4b3"}, "AccountSid": {"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
		"From": {"+393331234567"}, "ApiVersion": {"2010-04-01"},
		"MediaContentType0": {"image/jpeg"},
		"MediaUrl0":         {"https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/MM0d8a7c5c6b8e3d2f1a0b9c8d7e6f5a4b3/Media/ME0123456789abcdef0123456789abcdef"},
	}
}

func TestParseSMS(t *testing.T) {
	evs, err := twilio.ParseSMS(inboundMMS())
	if err != nil || len(evs) != 1 {
		t.Fatalf("ParseSMS: %v, %v", evs, err)
	}
	ev := evs[0]
	if ev.ProviderID != "MM0d8a7c5c6b8e3d2f1a0b9c8d7e6f5a4b3" || ev.From != (model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}) ||
		ev.Text != "Buongiorno, ho perso il permesso di soggiorno" || ev.Kind != "image" || len(ev.Media) != 1 || ev.Media[0].ContentType != "image/jpeg" {
		t.Errorf("event %+v", ev)
	}
	empty := url.Values{"MessageSid": {"SM1"}, "From": {"+393331234567"}, "NumMedia": {"0"}}
	if evs, err := twilio.ParseSMS(empty); err != nil || evs[0].Kind != "unsupported" || evs[0].Text == "" {
		t.Errorf("an empty SMS: %+v, %v; want it kept as unsupported", evs, err)
	}
	for name, f := range map[string]url.Values{
		"no sid":    {"From": {"+393331234567"}, "Body": {"x"}},
		"no from":   {"MessageSid": {"SM1"}, "Body": {"x"}},
		"bad from":  {"MessageSid": {"SM1"}, "From": {"Anna"}, "Body": {"x"}},
		"no prefix": {"MessageSid": {"SM1"}, "From": {"3331234567"}, "Body": {"x"}},
	} {
		if _, err := twilio.ParseSMS(f); !errors.Is(err, twilio.ErrMalformed) {
			t.Errorf("%s: %v, want malformed", name, err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, tt := range []struct {
		status, code string
		want         model.DeliveryStatus
		errText      string
	}{
		{"queued", "", "", ""},
		{"sent", "", model.DeliverySent, ""},
		{"delivered", "", model.DeliveryDelivered, ""},
		{"undelivered", "30003", model.DeliveryFailed, "30003"},
		{"failed", "30008", model.DeliveryFailed, "30008"},
	} {
		f := url.Values{"MessageSid": {"SM5ef8732a3c49700934481addd5ce1659"}, "MessageStatus": {tt.status}, "AccountSid": {"AC1"}, "From": {"+390612345678"}}
		if tt.code != "" {
			f.Set("ErrorCode", tt.code)
		}
		evs, err := twilio.ParseStatus(f)
		if err != nil {
			t.Fatalf("%s: %v", tt.status, err)
		}
		if tt.want == "" {
			if len(evs) != 0 {
				t.Errorf("%s: %+v, want nothing", tt.status, evs)
			}
			continue
		}
		if len(evs) != 1 || evs[0].Status != tt.want || evs[0].Type != channel.EventStatus || !strings.Contains(evs[0].Error, tt.errText) {
			t.Errorf("%s: %+v", tt.status, evs)
		}
	}
	if _, err := twilio.ParseStatus(url.Values{"MessageStatus": {"sent"}}); !errors.Is(err, twilio.ErrMalformed) {
		t.Errorf("no sid: %v", err)
	}
}

func TestParseCallAndState(t *testing.T) {
	c, err := twilio.ParseCall(url.Values{"CallSid": {"CA1"}, "From": {"+39 333 1234567"}, "Digits": {"2"}, "RecordingUrl": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"},
		"RecordingSid": {"RE1"}, "RecordingDuration": {"42"}})
	if err != nil || c.From != "+393331234567" || c.Digits != "2" || c.RecordingDuration != 42 {
		t.Fatalf("%+v, %v", c, err)
	}
	if m := c.RecordingMedia(); m.Ref != "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.mp3" || m.ContentType != "audio/mpeg" {
		t.Errorf("recording media %+v", m)
	}
	if _, err := twilio.ParseCall(url.Values{"From": {"+393331234567"}}); !errors.Is(err, twilio.ErrMalformed) {
		t.Errorf("no CallSid: %v", err)
	}
	st := twilio.State{Step: "topic", Lang: "ar", Topic: "casa", Why: "closed", Try: 2}
	q, _ := url.ParseQuery(st.Query())
	if got := twilio.ParseState(q); got != st {
		t.Errorf("state round trip: %+v, want %+v", got, st)
	}
}

func TestTwiML(t *testing.T) {
	r := (&twilio.Response{}).Add(
		&twilio.Gather{Input: "dtmf", NumDigits: 1, Timeout: 6, Method: "POST", Action: "https://desk.example.org/hooks/twilio/7/voice?lang=it&step=topic",
			Verbs: []any{twilio.SayIn("it", "Per lavoro, premi 1."), twilio.SayIn("wo", "unspoken")}},
		nil,
		&twilio.Hangup{})
	got := string(r.Marshal())
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Response><Gather input="dtmf" numDigits="1" timeout="6" action="https://desk.example.org/hooks/twilio/7/voice?lang=it&amp;step=topic" method="POST">` +
		`<Say language="it-IT" voice="Polly.Bianca">Per lavoro, premi 1.</Say></Gather><Hangup></Hangup></Response>`
	if got != want {
		t.Errorf("TwiML\n got %s\nwant %s", got, want)
	}
}

func TestAudioURLs(t *testing.T) {
	got := twilio.AudioURLs(channel.Settings{"audio_urls": "wo.lang=https://cdn.example.org/wo-lang.mp3, wo.topics=https://cdn.example.org/wo-topics.mp3,bad,x=ftp://a"})
	if len(got) != 2 || got["wo.lang"] != "https://cdn.example.org/wo-lang.mp3" {
		t.Errorf("%v", got)
	}
}

func TestSendAndFetch(t *testing.T) {
	var gotForm url.Values
	var gotAuth [2]string
	status := http.StatusCreated
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		gotAuth = [2]string{u, p}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/2010-04-01/Accounts/AC123/Messages.json":
			r.ParseForm()
			gotForm = r.PostForm
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			if status >= 400 {
				io.WriteString(w, `{"code": 21211, "message": "The 'To' number +39000 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`)
				return
			}
			io.WriteString(w, `{"sid": "SM5ef8732a3c49700934481addd5ce1659", "status": "queued"}`)
		case strings.HasSuffix(r.URL.Path, "/Recordings/REnotyet.mp3"):
			w.WriteHeader(http.StatusNotFound)
		case strings.HasSuffix(r.URL.Path, ".mp3"):
			w.Header().Set("Content-Type", "audio/mpeg")
			io.WriteString(w, "ID3 fake mp3")
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	s := channel.Settings{"account_sid": "AC123", "auth_token": "tok", "public_url": "https://desk.example.org/", "api_base_url": srv.URL, "from": "+390612345678"}
	c := twilio.NewSMS(7, s, srv.Client())
	to := model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}
	sid, err := c.Send(context.Background(), channel.Outbound{To: to, Text: "Buongiorno",
		Attachments: []channel.File{{Name: "modulo.pdf", URL: "https://desk.example.org/f/1"}, {Name: "foto.jpg"}}})
	if err != nil || sid != "SM5ef8732a3c49700934481addd5ce1659" {
		t.Fatalf("Send: %q, %v", sid, err)
	}
	if gotForm.Get("To") != to.Value || gotForm.Get("From") != "+390612345678" || gotForm.Get("Body") != "Buongiorno\n[foto.jpg]" ||
		gotForm.Get("MediaUrl") != "https://desk.example.org/f/1" || gotForm.Get("StatusCallback") != "https://desk.example.org/hooks/twilio/7/status" || gotAuth != [2]string{"AC123", "tok"} {
		t.Errorf("Twilio got %v, auth %v", gotForm, gotAuth)
	}
	gotForm = nil
	if _, err := c.Send(context.Background(), channel.Outbound{To: to, Text: strings.Repeat("è", twilio.MaxBody+1)}); !channel.IsPermanent(err) || gotForm != nil {
		t.Errorf("a text over %d characters: %v (sent: %v)", twilio.MaxBody, err, gotForm != nil)
	}
	if _, err := c.Send(context.Background(), channel.Outbound{To: to, Text: strings.Repeat("è", twilio.MaxBody)}); err != nil || len([]rune(gotForm.Get("Body"))) != twilio.MaxBody {
		t.Errorf("a text of %d characters: %v", twilio.MaxBody, err)
	}
	status = http.StatusBadRequest
	_, err = c.Send(context.Background(), channel.Outbound{To: to, Text: "x"})
	if !channel.IsPermanent(err) || !strings.Contains(err.Error(), "21211") {
		t.Errorf("a refusal: %v, want permanent with Twilio's code", err)
	}
	status = http.StatusServiceUnavailable
	if _, err = c.Send(context.Background(), channel.Outbound{To: to, Text: "x"}); err == nil || channel.IsPermanent(err) {
		t.Errorf("Twilio down: %v, want retryable", err)
	}

	// A voice line without sms_from refuses replies; with it they go out as SMS.
	vs := channel.Settings{"account_sid": "AC123", "auth_token": "tok", "public_url": "https://desk.example.org", "api_base_url": srv.URL, "languages": "it"}
	if _, err := twilio.NewVoice(8, vs, srv.Client()).Send(context.Background(), channel.Outbound{To: to, Text: "x"}); !errors.Is(err, twilio.ErrPhoneLine) || !channel.IsPermanent(err) {
		t.Errorf("voice without sms_from: %v", err)
	}
	status = http.StatusCreated
	vs["sms_from"] = "+390699999999"
	if _, err := twilio.NewVoice(8, vs, srv.Client()).Send(context.Background(), channel.Outbound{To: to, Text: "x"}); err != nil || gotForm.Get("From") != "+390699999999" {
		t.Errorf("voice with sms_from: %v, from %q", err, gotForm.Get("From"))
	}

	body, ctype, err := c.Fetch(context.Background(), channel.Media{Ref: srv.URL + "/2010-04-01/Accounts/AC123/Recordings/RE1.mp3"}, 1<<20)
	if err != nil || string(body) != "ID3 fake mp3" || ctype != "audio/mpeg" {
		t.Errorf("Fetch: %q %q %v", body, ctype, err)
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); ok {
			t.Errorf("the account's credentials went to another host")
		}
		io.WriteString(w, "x")
	}))
	defer other.Close()
	if _, _, err := twilio.NewSMS(7, s, other.Client()).Fetch(context.Background(), channel.Media{Ref: other.URL + "/m.jpg"}, 1<<20); err != nil {
		t.Errorf("fetch from another host: %v", err)
	}
	if _, _, err := c.Fetch(context.Background(), channel.Media{Ref: srv.URL + "/r/x.mp3"}, 4); !errors.Is(err, channel.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, _, err := c.Fetch(context.Background(), channel.Media{Ref: srv.URL + "/2010-04-01/Accounts/AC123/Recordings/REnotyet.mp3"}, 1<<20); err == nil || channel.IsPermanent(err) {
		t.Errorf("a recording not ready: %v, want retryable", err)
	}
	if _, _, err := c.Fetch(context.Background(), channel.Media{Ref: srv.URL + "/2010-04-01/Accounts/AC123/Messages/MM1/Media/ME1"}, 1<<20); !channel.IsPermanent(err) {
		t.Errorf("missing media: %v, want permanent", err)
	}
}

func FuzzParseSMS(f *testing.F) {
	f.Add(inboundMMS().Encode())
	f.Add("MessageSid=SM1&From=%2B393331234567&Body=Ciao&NumMedia=99&MediaUrl98=x")
	f.Add("MessageSid=SM1&From=whatsapp%3A%2B393331234567&NumMedia=-3")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		evs, err := twilio.ParseSMS(form)
		if err != nil {
			return
		}
		if len(evs) != 1 || evs[0].ProviderID == "" || evs[0].From.Kind != model.IdentityPhone || len(evs[0].Media) > 10 ||
			(evs[0].Text == "" && len(evs[0].Media) == 0) {
			t.Errorf("%q → %+v", body, evs)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add("MessageSid=SM5ef8732a3c49700934481addd5ce1659&MessageStatus=undelivered&ErrorCode=30003&AccountSid=AC1&From=%2B390612345678&To=%2B393331234567&ApiVersion=2010-04-01")
	f.Add("SmsSid=SM1&SmsStatus=delivered")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		evs, err := twilio.ParseStatus(form)
		if err != nil {
			return
		}
		for _, ev := range evs {
			if ev.ProviderID == "" || ev.Status == "" || (ev.Status == model.DeliveryFailed) != (ev.Error != "") {
				t.Errorf("%q → %+v", body, ev)
			}
		}
	})
}

func FuzzParseCall(f *testing.F) {
	f.Add("AccountSid=AC1&ApiVersion=2010-04-01&CallSid=CA5b8c4f1a2d3e4f5a6b7c8d9e0f1a2b3c&CallStatus=ringing&Called=%2B390612345678&Caller=%2B393331234567&Direction=inbound&From=%2B393331234567&To=%2B390612345678",
		"step=lang")
	f.Add("CallSid=CA1&From=%2B393331234567&Digits=2", "step=topic&lang=fr&try=1")
	f.Add("CallSid=CA1&From=anonymous&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FRecordings%2FRE1&RecordingSid=RE1&RecordingDuration=42&RecordingStatus=completed",
		"step=recording&lang=ar&topic=casa&why=closed")
	f.Fuzz(func(t *testing.T, body, query string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		q, _ := url.ParseQuery(query)
		st := twilio.ParseState(q)
		if st.Try < 0 || st.Try > 9 {
			t.Errorf("try %d", st.Try)
		}
		c, err := twilio.ParseCall(form)
		if err != nil {
			return
		}
		if c.Sid == "" || c.RecordingDuration < 0 || c.CallDuration < 0 || c.DialCallDuration < 0 {
			t.Errorf("%q → %+v", body, c)
		}
		if c.From != "" {
			if _, err := model.NormalizeIdentity(model.Identity{Kind: model.IdentityPhone, Value: c.From}); err != nil {
				t.Errorf("%q → From %q is not E.164", body, c.From)
			}
		}
	})
}

func BenchmarkValid(b *testing.B) {
	form := inboundMMS()
	const u = "https://desk.example.org/hooks/twilio/7/sms"
	sig := twilio.Signature("12345", u, form)
	for b.Loop() {
		if !twilio.Valid("12345", u, form, sig) {
			b.Fatal("refused")
		}
	}
}
