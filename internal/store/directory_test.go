package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

const openReferral = "../hsds/testdata/openreferral"

// Open Referral's example package, imported into an organisation and
// exported again, as CSV and as JSON, gives back the same records, on
// both engines.
func TestDirectoryOpenReferralRoundTrip(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, _ *stepClock) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		in, err := hsds.ParseCSV(os.DirFS(openReferral + "/csv"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ImportDirectory(ctx, org.ID, in, store.ImportOptions{})
		if inv := new(hsds.Invalid); !errors.As(err, &inv) || len(inv.Problems) != 5 {
			t.Fatalf("strict import: %v, want the 5 problems of the example data", err)
		}
		res, err := s.ImportDirectory(ctx, org.ID, in, store.ImportOptions{Lenient: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Records != in.Len() || res.Services != 1 || len(res.Warnings) != 5 {
			t.Errorf("import result %+v", res)
		}
		out, err := s.DirectoryExport(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := hsds.Diff(in, out); len(d) > 0 {
			t.Fatalf("store round trip differs: %v", d)
		}
		dir := t.TempDir()
		if err := out.WriteCSV(func(n string) (io.WriteCloser, error) { return os.Create(filepath.Join(dir, n)) }); err != nil {
			t.Fatal(err)
		}
		again, err := hsds.ParseCSV(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if d := hsds.Diff(in, again); len(d) > 0 {
			t.Errorf("CSV export differs: %v", d)
		}

		other, _ := newTenant(t, s, "b")
		data, err := os.ReadFile(openReferral + "/service_full.json")
		if err != nil {
			t.Fatal(err)
		}
		js, err := hsds.ParseJSON("service_full.json", data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportDirectory(ctx, other.ID, js, store.ImportOptions{Lenient: true}); err != nil {
			t.Fatal(err)
		}
		outJS, err := s.DirectoryExport(ctx, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := outJS.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		back, err := hsds.ParseJSON("export.json", b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if d := hsds.Diff(js, back); len(d) > 0 {
			t.Errorf("JSON export differs: %v", d)
		}
		// Each organisation sees only its own directory.
		if got, _ := s.DirectoryExport(ctx, org.ID); got.Len() != in.Len() {
			t.Errorf("first organisation has %d records, want %d", got.Len(), in.Len())
		}
	})
}

// A package with a problem is refused whole: nothing of it is written.
func TestDirectoryImportRefusedWhole(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, _ *stepClock) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		set, err := hsds.ParseJSON("bad.json", []byte(`[
			{"id":"o1","name":"Caritas","description":"Diocesana","services":[
				{"id":"s1","name":"Mensa","status":"active"},
				{"id":"s2","name":"Docce","status":"sometimes"}]},
			{"id":"l1","location_type":"physical","latitude":95,"longitude":12}]`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ImportDirectory(ctx, org.ID, set, store.ImportOptions{})
		var inv *hsds.Invalid
		if !errors.As(err, &inv) || len(inv.Problems) != 2 {
			t.Fatalf("got %v, want the two problems", err)
		}
		var me *model.Error
		if !errors.As(err, &me) || me.Code != model.CodeInvalid {
			t.Errorf("error %v is not an invalid-input error", err)
		}
		if !strings.Contains(err.Error(), "bad.json $[0].services[1]: status") || !strings.Contains(err.Error(), "bad.json $[1]: latitude") {
			t.Errorf("problems not located: %v", err)
		}
		got, err := s.DirectoryExport(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Len() != 0 {
			t.Errorf("%d records written from a refused package", got.Len())
		}
	})
}

// italianDirectory is a small directory around Rome and Milan.
const italianDirectory = `{"version":"3.0.0","services":[
 {"id":"mensa","name":"Mensa Caritas","status":"active","organization_id":"caritas","assured_date":"2026-10-01","assurer_email":"anna@caritas.example",
  "description":"Pasti caldi per chi è in difficoltà",
  "attributes":[{"id":"a1","taxonomy_term_id":"food","link_entity":"service"}],
  "languages":[{"id":"lm1","code":"it"},{"id":"lm2","code":"en"}],
  "service_at_locations":[{"id":"mensa-roma","location":{"id":"l-roma","location_type":"physical","latitude":41.9,"longitude":12.5,
     "addresses":[{"id":"ad1","address_1":"Via Marsala 109","city":"Roma","state_province":"RM","postal_code":"00185","country":"IT","address_type":"physical"}]}}],
  "schedules":[{"id":"sc1","freq":"WEEKLY","byday":"MO,TU,WE,TH,FR","opens_at":"11:30","closes_at":"14:00","time_zone":"Europe/Rome"}]},
 {"id":"legale","name":"Sportello legale","status":"active","organization_id":"caritas","assured_date":"2025-01-15",
  "description":"Consulenza su permessi di soggiorno",
  "translations":{"ar":{"name":"مكتب المساعدة القانونية"}},
  "attributes":[{"id":"a2","taxonomy_term_id":"legal","link_entity":"service"}],
  "languages":[{"id":"ll1","code":"ar"},{"id":"ll2","code":"it"}],
  "service_at_locations":[{"id":"legale-roma","location":{"id":"l-roma2","location_type":"physical","latitude":41.91,"longitude":12.51}},
                          {"id":"legale-milano","location":{"id":"l-mi","location_type":"physical","latitude":45.46,"longitude":9.19}}],
  "schedules":[{"id":"sc2","freq":"WEEKLY","byday":"TU,TH","opens_at":"09:00","closes_at":"13:00"}]},
 {"id":"rifugio","name":"Casa rifugio","status":"active","organization_id":"caritas",
  "languages":[{"id":"lr1","code":"ar"}],
  "service_at_locations":[{"id":"rifugio-roma","location":{"id":"l-segreta","location_type":"physical","latitude":41.89,"longitude":12.49,"confidential":true,
     "addresses":[{"id":"ad2","address_1":"Via Segreta 1","city":"Roma","state_province":"RM","postal_code":"00100","country":"IT","address_type":"physical"}]}}]},
 {"id":"chiuso","name":"Vecchio dormitorio","status":"defunct","organization_id":"caritas","languages":[{"id":"lc1","code":"ar"}]}
 ],
 "organizations":[{"id":"caritas","name":"Caritas","description":"Caritas diocesana"}],
 "taxonomy_terms":[{"id":"food","code":"food","name":"Cibo","description":"Cibo"},{"id":"legal","code":"legal","name":"Legale","description":"Legale"}]}`

func importItalian(t *testing.T, s *store.Store, orgID int64) {
	t.Helper()
	set, err := hsds.ParseJSON("it.json", []byte(italianDirectory))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportDirectory(context.Background(), orgID, set, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

func siteIDs(sites []store.Site) string {
	var out []string
	for _, s := range sites {
		out = append(out, s.ID)
	}
	return strings.Join(out, ",")
}

func TestDirectorySearch(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, _ *stepClock) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		other, _ := newTenant(t, s, "b")
		importItalian(t, s, org.ID)
		rome := &store.Point{Lat: 41.9028, Lon: 12.4964}
		// Tuesday 10:00 in Rome (CET): the legal desk is open, the canteen not.
		tue10 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).Add(-time.Hour)
		cases := []struct {
			name  string
			q     store.SiteQuery
			want  string
			total int
		}{
			{"all active, by name", store.SiteQuery{}, "rifugio-roma,mensa-roma,legale-milano,legale-roma", 4},
			{"text without accents", store.SiteQuery{Text: "difficolta"}, "mensa-roma", 1},
			{"text in a translation", store.SiteQuery{Text: "القانونية"}, "legale-milano,legale-roma", 2},
			{"category", store.SiteQuery{Category: "legal"}, "legale-milano,legale-roma", 2},
			{"language", store.SiteQuery{Language: "ar"}, "rifugio-roma,legale-milano,legale-roma", 3},
			{"near Rome: nearest first, Milan too far, shelter hidden", store.SiteQuery{Near: rome}, "mensa-roma,legale-roma", 2},
			{"near Rome for an authorised operator", store.SiteQuery{Near: rome, Confidential: true}, "mensa-roma,legale-roma,rifugio-roma", 3},
			{"open now, Arabic, near Rome", store.SiteQuery{Near: rome, Language: "ar", OpenAt: tue10}, "legale-roma", 1},
			{"open at lunch", store.SiteQuery{OpenAt: tue10.Add(3*time.Hour + 30*time.Minute)}, "mensa-roma", 1},
			{"place by CAP", store.SiteQuery{Place: "00185"}, "mensa-roma", 1},
			{"defunct included on request", store.SiteQuery{AllStatuses: true, Text: "dormitorio"}, "chiuso", 1},
			{"paging", store.SiteQuery{Limit: 2, Offset: 1}, "mensa-roma,legale-milano", 4},
		}
		for _, c := range cases {
			got, total, err := s.SearchDirectory(ctx, org.ID, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if siteIDs(got) != c.want || total != c.total {
				t.Errorf("%s: got %s (%d), want %s (%d)", c.name, siteIDs(got), total, c.want, c.total)
			}
		}
		near, _, _ := s.SearchDirectory(ctx, org.ID, store.SiteQuery{Near: rome})
		if len(near) == 0 || near[0].DistanceKM < 0.4 || near[0].DistanceKM > 0.5 {
			t.Errorf("distance to the canteen: %+v", near)
		}
		all, _, _ := s.SearchDirectory(ctx, org.ID, store.SiteQuery{Text: "rifugio"})
		if len(all) != 1 || all[0].HasPosition || !all[0].Confidential {
			t.Errorf("the shelter's position shows in a public search: %+v", all)
		}
		if got, _, _ := s.SearchDirectory(ctx, other.ID, store.SiteQuery{}); len(got) != 0 {
			t.Errorf("another organisation sees %s", siteIDs(got))
		}
		stale, err := s.StaleServices(ctx, org.ID, "2026-01-01", 0)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, x := range stale {
			names = append(names, x.ID+"@"+x.VerifiedOn)
		}
		if strings.Join(names, ",") != "rifugio@,chiuso@,legale@2025-01-15" {
			t.Errorf("stale: %v", names)
		}
	})
}
