// Package telegramtest is a fake Telegram Bot API server for tests. It
// speaks the documented protocol (https://core.telegram.org/bots/api):
// methods at /bot<token>/<method> taking JSON, form or multipart
// parameters and answering {"ok":true,"result":…} or {"ok":false,
// "error_code":…,"description":…}; files at /file/bot<token>/<path>.
// It implements getMe, getUpdates (with offset and long-poll timeout),
// setWebhook, deleteWebhook, sendMessage, sendPhoto, sendDocument,
// getFile and answerCallbackQuery, and records what it was asked.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the bot token the fake accepts.
const Token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

// Sent is one message the bot sent.
type Sent struct {
	Method      string // sendMessage, sendPhoto, sendDocument
	ChatID      string
	MessageID   int64
	Text        string
	Caption     string
	ReplyMarkup json.RawMessage
	FileName    string
	File        []byte
}

// Failure is an error the fake answers a method with, Times times.
type Failure struct {
	Code        int
	Description string
	RetryAfter  int
	Times       int
}

// Server is the fake Bot API.
type Server struct {
	*httptest.Server

	mu         sync.Mutex
	updates    []json.RawMessage // every update pushed, in order; never forgotten
	ids        []int64
	arrived    chan struct{} // closed and replaced when an update is pushed
	webhook    string
	secret     string
	sent       []Sent
	answered   []string
	offsets    []int64 // the offset of each getUpdates call (-1: none)
	calls      map[string]int
	files      map[string]fakeFile
	failures   map[string]*Failure
	nextMsgID  int64
	deleteHook int
	polling    int // getUpdates calls in flight
	maxPolling int
}

type fakeFile struct {
	path string
	body []byte
}

// New starts a fake Bot API, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{arrived: make(chan struct{}), calls: map[string]int{}, files: map[string]fakeFile{},
		failures: map[string]*Failure{}, nextMsgID: 1000}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Push queues an update for getUpdates.
func (s *Server) Push(update string) {
	var id struct {
		UpdateID int64 `json:"update_id"`
	}
	if err := json.Unmarshal([]byte(update), &id); err != nil {
		panic("telegramtest: bad update: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates = append(s.updates, json.RawMessage(update))
	s.ids = append(s.ids, id.UpdateID)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// AddFile makes a file downloadable by its file_id.
func (s *Server) AddFile(fileID, path string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = fakeFile{path: path, body: body}
}

// Fail makes the next f.Times calls of method fail with f.
func (s *Server) Fail(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.failures[method] = &f
}

// Sent returns the messages sent so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Answered returns the callback query ids answered so far.
func (s *Server) Answered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.answered...)
}

// Offsets returns the offset of each getUpdates call, -1 for a call
// without one.
func (s *Server) Offsets() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.offsets...)
}

// MaxConcurrentPolls is the most getUpdates calls that were in flight
// at once. Telegram refuses a second one (409 Conflict).
func (s *Server) MaxConcurrentPolls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxPolling
}

// Calls counts the calls of method.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Webhook returns the webhook URL and secret token set, "" when none.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// SetWebhookState sets a webhook as if setWebhook had been called, so
// that getUpdates is refused until deleteWebhook.
func (s *Server) SetWebhookState(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = url
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.download(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		fail(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	if token != Token {
		fail(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	p, files, err := params(r)
	if err != nil {
		fail(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	s.mu.Lock()
	s.calls[method]++
	if f := s.failures[method]; f != nil && f.Times > 0 {
		f.Times--
		s.mu.Unlock()
		fail(w, f.Code, f.Description, f.RetryAfter)
		return
	}
	s.mu.Unlock()
	switch method {
	case "getMe":
		answer(w, map[string]any{"id": 123456, "is_bot": true, "first_name": "Sportello", "username": "sportello_test_bot"})
	case "getUpdates":
		s.getUpdates(w, r, p)
	case "setWebhook":
		if p["url"] == "" {
			fail(w, http.StatusBadRequest, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook", 0)
			return
		}
		s.mu.Lock()
		s.webhook, s.secret = p["url"], p["secret_token"]
		s.mu.Unlock()
		answer(w, true)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook, s.secret = "", ""
		s.deleteHook++
		s.mu.Unlock()
		answer(w, true)
	case "answerCallbackQuery":
		s.mu.Lock()
		s.answered = append(s.answered, p["callback_query_id"])
		s.mu.Unlock()
		answer(w, true)
	case "sendMessage", "sendPhoto", "sendDocument":
		s.send(w, method, p, files)
	case "getFile":
		s.mu.Lock()
		f, found := s.files[p["file_id"]]
		s.mu.Unlock()
		if !found {
			fail(w, http.StatusBadRequest, "Bad Request: invalid file_id", 0)
			return
		}
		if len(f.body) > 20<<20 {
			fail(w, http.StatusBadRequest, "Bad Request: file is too big", 0)
			return
		}
		answer(w, map[string]any{"file_id": p["file_id"], "file_unique_id": "u" + p["file_id"], "file_size": len(f.body), "file_path": f.path})
	default:
		fail(w, http.StatusNotFound, "Not Found: method not found", 0)
	}
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p map[string]string) {
	offset := int64(-1)
	if v := p["offset"]; v != "" {
		offset, _ = strconv.ParseInt(v, 10, 64)
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	s.mu.Lock()
	s.offsets = append(s.offsets, offset)
	s.polling++
	s.maxPolling = max(s.maxPolling, s.polling)
	defer func() {
		s.mu.Lock()
		s.polling--
		s.mu.Unlock()
	}()
	if s.polling > 1 {
		s.mu.Unlock()
		fail(w, http.StatusConflict, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", 0)
		return
	}
	if s.webhook != "" {
		s.mu.Unlock()
		fail(w, http.StatusConflict, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0)
		return
	}
	s.mu.Unlock()
	for {
		s.mu.Lock()
		var out []json.RawMessage
		for i, u := range s.updates {
			if s.ids[i] >= offset {
				out = append(out, u)
			}
		}
		arrived := s.arrived
		s.mu.Unlock()
		wait := time.Until(deadline)
		if len(out) > 0 || wait <= 0 {
			if out == nil {
				out = []json.RawMessage{}
			}
			answer(w, out)
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-arrived:
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
		t.Stop()
	}
}

func (s *Server) send(w http.ResponseWriter, method string, p map[string]string, files map[string]upload) {
	chatID := p["chat_id"]
	chat, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "Bad Request: chat not found", 0)
		return
	}
	m := Sent{Method: method, ChatID: chatID, Text: p["text"], Caption: p["caption"]}
	if rm := p["reply_markup"]; rm != "" {
		m.ReplyMarkup = json.RawMessage(rm)
	}
	switch method {
	case "sendMessage":
		if strings.TrimSpace(m.Text) == "" || len([]rune(m.Text)) > 4096 {
			fail(w, http.StatusBadRequest, "Bad Request: message text is empty or too long", 0)
			return
		}
	case "sendPhoto", "sendDocument":
		field := map[string]string{"sendPhoto": "photo", "sendDocument": "document"}[method]
		f, found := files[field]
		if !found {
			fail(w, http.StatusBadRequest, "Bad Request: there is no "+field+" in the request", 0)
			return
		}
		m.FileName, m.File = f.name, f.body
	}
	s.mu.Lock()
	s.nextMsgID++
	m.MessageID = s.nextMsgID
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	answer(w, map[string]any{"message_id": m.MessageID, "date": time.Now().Unix(), "chat": map[string]any{"id": chat, "type": "private"},
		"from": map[string]any{"id": 123456, "is_bot": true, "first_name": "Sportello"}, "text": m.Text})
}

func (s *Server) download(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	if token != Token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		if f.path == path {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(f.body)
			return
		}
	}
	http.Error(w, "Not Found", http.StatusNotFound)
}

type upload struct {
	name string
	body []byte
}

// params reads a method's parameters, which the Bot API takes as a
// query string, application/json, x-www-form-urlencoded or
// multipart/form-data. JSON values that are not strings are kept in
// their JSON text.
func params(r *http.Request) (map[string]string, map[string]upload, error) {
	p := map[string]string{}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ctype {
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil && err != io.EOF {
			return nil, nil, err
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				p[k] = s
			} else {
				p[k] = string(v)
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.PostForm {
			p[k] = v[0]
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return nil, nil, err
		}
		for k, v := range r.MultipartForm.Value {
			p[k] = v[0]
		}
		files := map[string]upload{}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			files[k] = upload{name: fhs[0].Filename, body: b}
		}
		return p, files, nil
	}
	return p, nil, nil
}

func answer(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func fail(w http.ResponseWriter, code int, description string, retryAfter int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	body := map[string]any{"ok": false, "error_code": code, "description": description}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	json.NewEncoder(w).Encode(body)
}

// Update examples, shaped as in the Bot API documentation. chat and
// from share the person's id, as in a private chat.

// TextUpdate is a private text message.
func TextUpdate(updateID, chatID, messageID int64, text string) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1763800000,`+
		`"from":{"id":%d,"is_bot":false,"first_name":"Awa","last_name":"Diop","username":"awadiop","language_code":"fr"},`+
		`"chat":{"id":%d,"first_name":"Awa","last_name":"Diop","username":"awadiop","type":"private"},"text":%s}}`,
		updateID, messageID, chatID, chatID, quote(text))
}

// PhotoUpdate is a private photo with a caption, in three sizes.
func PhotoUpdate(updateID, chatID, messageID int64, fileID, caption string) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1763800060,`+
		`"from":{"id":%d,"is_bot":false,"first_name":"Awa","language_code":"fr"},`+
		`"chat":{"id":%d,"first_name":"Awa","type":"private"},`+
		`"photo":[{"file_id":"%s-s","file_unique_id":"AQADs","file_size":1234,"width":90,"height":67},`+
		`{"file_id":"%s-m","file_unique_id":"AQADm","file_size":15312,"width":320,"height":240},`+
		`{"file_id":"%s","file_unique_id":"AQADx","file_size":48211,"width":800,"height":600}],"caption":%s}}`,
		updateID, messageID, chatID, chatID, fileID, fileID, fileID, quote(caption))
}

// CallbackUpdate is a press on an inline keyboard button of the bot's
// message messageID.
func CallbackUpdate(updateID, chatID, messageID int64, id, data, buttonText string) string {
	return fmt.Sprintf(`{"update_id":%d,"callback_query":{"id":"%s","chat_instance":"-8123456789",`+
		`"from":{"id":%d,"is_bot":false,"first_name":"Awa","language_code":"fr"},`+
		`"message":{"message_id":%d,"date":1763800100,"chat":{"id":%d,"first_name":"Awa","type":"private"},`+
		`"from":{"id":123456,"is_bot":true,"first_name":"Sportello"},"text":"Scegli",`+
		`"reply_markup":{"inline_keyboard":[[{"text":%s,"callback_data":%s}]]}},"data":%s}}`,
		updateID, id, chatID, messageID, chatID, quote(buttonText), quote(data), quote(data))
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
