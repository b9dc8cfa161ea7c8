package browsertest

import "net/http"

// SetWindowSize resizes the window to width × height CSS pixels: a phone
// is 390 × 844. Headless Chromium takes the size as asked.
func (b *Browser) SetWindowSize(width, height int) {
	b.t.Helper()
	b.must(b.cmd(http.MethodPost, "/window/rect", map[string]int{"width": width, "height": height}, nil), "window size %d×%d", width, height)
}

// SetGeolocation grants the geolocation permission and makes
// navigator.geolocation answer lat, lon, through chromedriver's DevTools
// command: what a phone would answer where the citizen stands.
func (b *Browser) SetGeolocation(lat, lon float64) {
	b.t.Helper()
	b.must(b.cmd(http.MethodPost, "/goog/cdp/execute", map[string]any{
		"cmd": "Browser.grantPermissions", "params": map[string]any{"permissions": []string{"geolocation"}},
	}, nil), "grant geolocation")
	b.must(b.cmd(http.MethodPost, "/goog/cdp/execute", map[string]any{
		"cmd": "Emulation.setGeolocationOverride", "params": map[string]any{"latitude": lat, "longitude": lon, "accuracy": 30},
	}, nil), "set geolocation %v,%v", lat, lon)
}
