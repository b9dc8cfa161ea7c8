package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/browsertest"
)

// Three more services next to Piazza Vittorio, so that what is open now
// does not depend on when the test runs: one always open where Arabic is
// spoken, one always open without Arabic, one with Arabic but no hours
// (never "open now").
const nightServices = `{"version": "3.0.0", "services": [
 {"id": "night-ar", "name": "Sportello notturno", "status": "active", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000002",
  "translations": {"ar": {"name": "المكتب الليلي"}},
  "languages": [{"id": "night-ar-l", "code": "ar"}],
  "schedules": [{"id": "night-ar-s", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "24:00", "time_zone": "Europe/Rome"}],
  "service_at_locations": [{"id": "night-ar-sl", "location": {"id": "night-ar-loc", "location_type": "physical", "latitude": 41.8960, "longitude": 12.5060}}]},
 {"id": "night-it", "name": "Guardia medica", "status": "active", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000004",
  "languages": [{"id": "night-it-l", "code": "it"}],
  "schedules": [{"id": "night-it-s", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "24:00", "time_zone": "Europe/Rome"}],
  "service_at_locations": [{"id": "night-it-sl", "location": {"id": "night-it-loc", "location_type": "physical", "latitude": 41.8951, "longitude": 12.5047}}]},
 {"id": "closed-ar", "name": "Sportello senza orari", "status": "active", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000002",
  "languages": [{"id": "closed-ar-l", "code": "ar"}],
  "service_at_locations": [{"id": "closed-ar-sl", "location": {"id": "closed-ar-loc", "location_type": "physical", "latitude": 41.8950, "longitude": 12.5046}}]}
]}`

// A citizen on a phone, in Arabic, finds the nearest service open now
// where Arabic is spoken: by their position, given when they press "near
// me", and by a typed postcode; the list works without the map; the
// shelter's address never shows.
func TestBrowserNearestOpenArabicService(t *testing.T) {
	b := browsertest.Start(t)
	dir := t.TempDir()
	base, _, _ := startServer(t, map[string]string{"SPORTELLO_DATA_DIR": dir, "SPORTELLO_DEMO": "1"})
	extra := filepath.Join(t.TempDir(), "night.json")
	if err := os.WriteFile(extra, []byte(nightServices), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, stderr, err := run(t, nil, "", "directory", "import", "--database", filepath.Join(dir, "sportello.db"), "--org", "demo", extra); err != nil {
		t.Fatalf("import: %v %s %s", err, out, stderr)
	}

	b.SetWindowSize(390, 844)
	b.SetGeolocation(41.8952, 12.5049) // Piazza Vittorio
	b.Navigate(base + "/o/demo/services?lang=ar")
	if got := b.ExecuteScript(`return document.documentElement.dir`); got != "rtl" {
		t.Fatalf("the page is %v, want rtl", got)
	}
	if w := b.ExecuteScript(`return document.documentElement.scrollWidth <= window.innerWidth`); w != true {
		t.Error("the page scrolls sideways on a phone")
	}
	b.FindElement(`#language option[value="ar"]`).Click()
	b.FindElement(`#open`).Click()
	near := b.WaitFor("[data-near-me]", wait)
	if hidden, _ := near.Attribute("hidden"); hidden != "" {
		t.Fatal("the near-me button stays hidden with JavaScript")
	}
	near.Click()
	b.WaitUntil(wait, "results near the position", func() bool { return strings.Contains(b.CurrentURL().RawQuery, "lat=41.895") })
	first := b.WaitFor("ol.svc-list li.svc h2 a", wait)
	if first.Text() != "المكتب الليلي" {
		t.Errorf("nearest open Arabic service: %q, want the night desk\n%s", first.Text(), b.PageSource())
	}
	list := b.FindElement("ol.svc-list").Text()
	for _, absent := range []string{"Guardia medica", "Sportello senza orari", "Via riservata"} {
		if strings.Contains(list, absent) {
			t.Errorf("the list shows %q", absent)
		}
	}
	if d := b.FindElement("ol.svc-list li.svc .distance").Text(); !strings.HasSuffix(d, " m") {
		t.Errorf("distance %q", d)
	}
	if n := len(b.FindElements(".map .map-mark")); n == 0 {
		t.Error("no marker on the map")
	}

	// The same by a typed postcode, no position.
	b.Navigate(base + "/o/demo/services?lang=ar&language=ar&open=1&place=00185")
	if got := b.WaitFor("ol.svc-list li.svc h2 a", wait).Text(); got != "المكتب الليلي" {
		t.Errorf("by postcode: %q", got)
	}
	b.FindElement("ol.svc-list li.svc h2 a").Click()
	waitPath(b, "/o/demo/services/night-ar")
	if h := b.FindElement("main h1").Text(); h != "المكتب الليلي" {
		t.Errorf("card title %q", h)
	}
}
