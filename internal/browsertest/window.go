package browsertest

import "net/http"

// SetWindowSize resizes the window to width × height CSS pixels: a phone
// is 390 × 844. Headless Chromium takes the size as asked.
func (b *Browser) SetWindowSize(width, height int) {
	b.t.Helper()
	b.must(b.cmd(http.MethodPost, "/window/rect", map[string]int{"width": width, "height": height}, nil), "window size %d×%d", width, height)
}
