// Package browsertest drives a real headless Chromium from tests, through
// chromedriver and a minimal W3C WebDriver client over net/http, so that
// the project needs no browser-automation dependency.
//
// Start skips the test when Chromium or chromedriver is missing, and fails
// it instead when the environment says CI=true: in CI a browser test that
// silently skips would hide a broken install step.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The Debian packages chromium and chromium-driver install these.
const (
	chromiumName     = "chromium"
	chromedriverName = "chromedriver"
)

// Timeouts of the driver's life: starting takes a second or two on a
// quiet machine, far longer on a loaded CI runner.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	pollEvery    = 50 * time.Millisecond
)

// Window is the browser window's size in CSS pixels, wide enough for the
// console's desktop layout.
const (
	WindowWidth  = 1280
	WindowHeight = 900
)

// Start runs chromedriver on a free loopback port, opens a headless
// Chromium session with a fresh profile, and closes both when t ends.
// The browser belongs to t: call its methods from t's goroutine only.
func Start(t *testing.T) *Browser {
	t.Helper()
	chromium, err1 := exec.LookPath(chromiumName)
	driver, err2 := exec.LookPath(chromedriverName)
	if err := errors.Join(err1, err2); err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatalf("browser test under CI=true, but no browser: %v (install Debian's chromium and chromium-driver)", err)
		}
		t.Skipf("no browser (install Debian's chromium and chromium-driver): %v", err)
	}

	// A port free on 127.0.0.1 may be taken on ::1, which chromedriver
	// binds too, by another test binary's driver started at the same
	// moment: it then exits at once, and another port is tried.
	var b *Browser
	var log *syncBuffer
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("browsertest: free port: %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		log = &syncBuffer{}
		cmd := exec.CommandContext(ctx, driver, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
		cmd.Stdout, cmd.Stderr = log, log
		cmd.WaitDelay = stopTimeout
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatalf("browsertest: start %s: %v", driver, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		b = &Browser{
			t:      t,
			client: &http.Client{Timeout: time.Minute},
			driver: "http://127.0.0.1:" + strconv.Itoa(port),
		}
		err = b.waitReady(exited)
		if err == nil {
			// Cleanups run last-in first-out: this one, registered
			// first, stops the driver after the session is gone.
			t.Cleanup(func() {
				cancel()
				select {
				case <-exited:
				case <-time.After(stopTimeout + time.Second):
					t.Errorf("browsertest: chromedriver did not stop")
				}
			})
			break
		}
		cancel()
		if !errors.Is(err, errDriverExited) || attempt == 3 {
			t.Fatalf("browsertest: %v\nchromedriver said:\n%s", err, log.String())
		}
	}
	if err := b.newSession(chromium, t.TempDir()); err != nil {
		t.Fatalf("browsertest: new session: %v\nchromedriver said:\n%s", err, log.String())
	}
	t.Cleanup(b.deleteSession)
	return b
}

var errDriverExited = errors.New("chromedriver exited")

// waitReady polls the driver's /status until it says ready, the driver
// exits, or startTimeout passes.
func (b *Browser) waitReady(exited <-chan error) error {
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		var st struct {
			Ready bool `json:"ready"`
		}
		err := b.do(context.Background(), http.MethodGet, b.driver+"/status", nil, &st)
		if err == nil && st.Ready {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("chromedriver not ready after %v: %v", startTimeout, err)
		}
		select {
		case err := <-exited:
			return fmt.Errorf("%w: %v", errDriverExited, err)
		case <-tick.C:
		}
	}
}

// newSession opens a headless Chromium with its own profile in dataDir.
func (b *Browser) newSession(chromium, dataDir string) error {
	caps := map[string]any{
		"capabilities": map[string]any{
			"alwaysMatch": map[string]any{
				"browserName":      "chrome",
				"pageLoadStrategy": "normal",
				"goog:chromeOptions": map[string]any{
					"binary": chromium,
					"args": []string{
						"--headless=new",
						"--no-sandbox", // root in containers and CI
						"--disable-gpu",
						"--disable-background-networking",
						"--disable-component-update",
						"--disable-sync",
						"--no-first-run",
						"--disable-dev-shm-usage",
						"--user-data-dir=" + dataDir,
						fmt.Sprintf("--window-size=%d,%d", WindowWidth, WindowHeight),
					},
				},
			},
		},
	}
	var got struct {
		SessionID string `json:"sessionId"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := b.do(ctx, http.MethodPost, b.driver+"/session", caps, &got); err != nil {
		return err
	}
	if got.SessionID == "" {
		return errors.New("no session id in the answer")
	}
	b.session = b.driver + "/session/" + got.SessionID
	return nil
}

// deleteSession closes the browser; the driver waits for Chromium to
// quit, so the profile directory can be removed afterwards.
func (b *Browser) deleteSession() {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := b.do(ctx, http.MethodDelete, b.session, nil, nil); err != nil {
		b.t.Errorf("browsertest: delete session: %v", err)
	}
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before chromedriver binds it; that is rare enough for tests.
// freePort finds a port free on 127.0.0.1 and, where the machine has
// IPv6, on ::1 too: chromedriver binds both and exits when either is
// taken (a busy machine has many ports of closed connections waiting).
func freePort() (int, error) {
	var lastErr error
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l6, err6 := net.Listen("tcp6", "[::1]:"+strconv.Itoa(port))
		l.Close()
		if err6 == nil {
			l6.Close()
			return port, nil
		}
		probe, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			return port, nil // no IPv6 here: the IPv4 port is enough
		}
		probe.Close()
		lastErr = err6
	}
	return 0, lastErr
}

// syncBuffer collects the driver's output for a failure message.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	const keep = 64 << 10 // the tail is what explains a failure
	s.buf = append(s.buf, p...)
	if len(s.buf) > keep {
		s.buf = s.buf[len(s.buf)-keep:]
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.buf)
}
