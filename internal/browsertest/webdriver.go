package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// elementKey names an element reference in W3C WebDriver's JSON.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// commandTimeout bounds one WebDriver command; a page load is one.
const commandTimeout = 30 * time.Second

// Browser is one WebDriver session. Its methods fail the test on any
// error, so that a test reads as the steps a person takes.
type Browser struct {
	t       *testing.T
	client  *http.Client
	driver  string // chromedriver's base URL
	session string // the session's base URL
}

// Element is a reference to an element of the current page. It goes
// stale when the page is left.
type Element struct {
	b   *Browser
	id  string
	css string // how it was found, for messages
}

// MarshalJSON makes an element usable as an ExecuteScript argument.
func (e *Element) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{elementKey: e.id})
}

// Error is an error answered by the driver.
type Error struct {
	Code    string `json:"error"` // e.g. "no such element"
	Message string `json:"message"`
	Status  int    `json:"-"`
}

func (e *Error) Error() string {
	msg, _, _ := strings.Cut(e.Message, "\n") // the rest is a stack trace
	return fmt.Sprintf("webdriver %d %s: %s", e.Status, e.Code, msg)
}

// isNoSuchElement reports whether err says no element matched.
func isNoSuchElement(err error) bool {
	var we *Error
	return errors.As(err, &we) && we.Code == "no such element"
}

// do sends one command and decodes the answer's "value" into out.
func (b *Browser) do(ctx context.Context, method, u string, in, out any) error {
	var body io.Reader
	if in != nil {
		buf, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s %s: status %d, undecodable answer %.200q", method, u, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		we := &Error{Status: resp.StatusCode}
		if err := json.Unmarshal(env.Value, we); err != nil || we.Code == "" {
			return fmt.Errorf("%s %s: status %d: %.200q", method, u, resp.StatusCode, raw)
		}
		return we
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Value, out)
}

// cmd runs a command of the session.
func (b *Browser) cmd(method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(b.t.Context(), commandTimeout)
	defer cancel()
	if method == http.MethodPost && in == nil {
		in = struct{}{} // W3C wants a JSON object on every POST
	}
	return b.do(ctx, method, b.session+path, in, out)
}

// must fails the test on err.
func (b *Browser) must(err error, what string, args ...any) {
	if err != nil {
		b.t.Helper()
		b.t.Fatalf("browser: %s: %v", fmt.Sprintf(what, args...), err)
	}
}

// Navigate loads u and waits for the page's load event.
func (b *Browser) Navigate(u string) {
	b.t.Helper()
	b.must(b.cmd(http.MethodPost, "/url", map[string]string{"url": u}, nil), "navigate to %s", u)
}

// Refresh reloads the current page, as the reload button does.
func (b *Browser) Refresh() {
	b.t.Helper()
	b.must(b.cmd(http.MethodPost, "/refresh", nil, nil), "refresh")
}

// CurrentURL is the address of the current page.
func (b *Browser) CurrentURL() *url.URL {
	b.t.Helper()
	var s string
	b.must(b.cmd(http.MethodGet, "/url", nil, &s), "current URL")
	u, err := url.Parse(s)
	b.must(err, "current URL %q", s)
	return u
}

// PageSource is the serialized DOM of the current page.
func (b *Browser) PageSource() string {
	b.t.Helper()
	var s string
	b.must(b.cmd(http.MethodGet, "/source", nil, &s), "page source")
	return s
}

// Screenshot is a PNG of the window's viewport.
func (b *Browser) Screenshot() []byte {
	b.t.Helper()
	var s string
	b.must(b.cmd(http.MethodGet, "/screenshot", nil, &s), "screenshot")
	png, err := base64.StdEncoding.DecodeString(s)
	b.must(err, "screenshot: decode base64")
	return png
}

// ExecuteScript runs script as a function body with args (elements
// included) and returns its result decoded from JSON.
func (b *Browser) ExecuteScript(script string, args ...any) any {
	b.t.Helper()
	if args == nil {
		args = []any{}
	}
	var out any
	b.must(b.cmd(http.MethodPost, "/execute/sync", map[string]any{"script": script, "args": args}, &out), "script %.80q", script)
	return out
}

func (b *Browser) find(css string) (*Element, error) {
	var ref map[string]string
	if err := b.cmd(http.MethodPost, "/element", map[string]string{"using": "css selector", "value": css}, &ref); err != nil {
		return nil, err
	}
	return &Element{b: b, id: ref[elementKey], css: css}, nil
}

// FindElement returns the first element matching css, or fails the test.
func (b *Browser) FindElement(css string) *Element {
	b.t.Helper()
	e, err := b.find(css)
	b.must(err, "find %q", css)
	return e
}

// FindElements returns every element matching css, maybe none.
func (b *Browser) FindElements(css string) []*Element {
	b.t.Helper()
	var refs []map[string]string
	b.must(b.cmd(http.MethodPost, "/elements", map[string]string{"using": "css selector", "value": css}, &refs), "find all %q", css)
	out := make([]*Element, len(refs))
	for i, ref := range refs {
		out[i] = &Element{b: b, id: ref[elementKey], css: css}
	}
	return out
}

// WaitFor waits until an element matches css and returns it.
func (b *Browser) WaitFor(css string, timeout time.Duration) *Element {
	b.t.Helper()
	var e *Element
	b.WaitUntil(timeout, fmt.Sprintf("an element %q", css), func() bool {
		var err error
		e, err = b.find(css)
		if err != nil && !isNoSuchElement(err) {
			b.must(err, "find %q", css)
		}
		return err == nil
	})
	return e
}

// WaitUntil polls cond every 50 ms until it holds, and fails the test
// naming what it waited for if it does not within timeout.
func (b *Browser) WaitUntil(timeout time.Duration, what string, cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			b.t.Fatalf("browser: waited %v for %s; at %s", timeout, what, b.CurrentURL())
		}
		select {
		case <-tick.C:
		case <-b.t.Context().Done():
			b.t.Fatalf("browser: test ended while waiting for %s", what)
		}
	}
}

// SendKeys types text into the element, after what it already holds.
func (e *Element) SendKeys(text string) {
	e.b.t.Helper()
	e.b.must(e.b.cmd(http.MethodPost, "/element/"+e.id+"/value", map[string]string{"text": text}, nil), "type into %q", e.css)
}

// Click clicks the element's centre, scrolling it into view first.
func (e *Element) Click() {
	e.b.t.Helper()
	e.b.must(e.b.cmd(http.MethodPost, "/element/"+e.id+"/click", nil, nil), "click %q", e.css)
}

// Text is the element's rendered text.
func (e *Element) Text() string {
	e.b.t.Helper()
	var s string
	e.b.must(e.b.cmd(http.MethodGet, "/element/"+e.id+"/text", nil, &s), "text of %q", e.css)
	return s
}

// Attribute is the element's attribute name, and ok is false when the
// element has none.
func (e *Element) Attribute(name string) (value string, ok bool) {
	e.b.t.Helper()
	var s *string
	e.b.must(e.b.cmd(http.MethodGet, "/element/"+e.id+"/attribute/"+url.PathEscape(name), nil, &s), "attribute %s of %q", name, e.css)
	if s == nil {
		return "", false
	}
	return *s, true
}

// Property is the element's DOM property name, e.g. a field's "value"
// as typed, which the value attribute does not follow.
func (e *Element) Property(name string) any {
	e.b.t.Helper()
	var v any
	e.b.must(e.b.cmd(http.MethodGet, "/element/"+e.id+"/property/"+url.PathEscape(name), nil, &v), "property %s of %q", name, e.css)
	return v
}
