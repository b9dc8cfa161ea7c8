package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// directoryBenchSites is the size the issue sets: 50,000 service locations.
const directoryBenchSites = 50000

var benchWords = []string{"mensa", "legale", "ambulatorio", "lavoro", "dormitorio", "docce", "vestiti", "pacchi", "alimentari",
	"permesso", "soggiorno", "consulenza", "psicologo", "scuola", "italiano", "corso", "casa", "affitto", "sanitaria", "pediatra",
	"caf", "patronato", "isee", "pensione", "disabilità", "antiviolenza", "tratta", "caporalato", "minori", "famiglie"}

var benchLangs = []string{"it", "en", "fr", "ar", "es", "uk", "ru", "zh", "bn", "ur", "pa", "wo", "ti", "so", "sq", "ro"}

// benchCities are where most services are, around these points; the
// rest are spread over Italy.
var benchCities = [][2]float64{{41.9028, 12.4964}, {45.4642, 9.19}, {40.8518, 14.2681}, {45.0703, 7.6869}, {38.1157, 13.3615},
	{44.4949, 11.3426}, {43.7696, 11.2558}, {41.1171, 16.8719}, {45.4408, 12.3155}, {37.5079, 15.083}, {44.4056, 8.9463},
	{45.4384, 10.9916}, {39.2238, 9.1217}, {38.9098, 16.5877}, {46.0748, 11.1217}, {40.6401, 15.8056}, {42.3498, 13.3995},
	{43.6158, 13.5189}, {45.6495, 13.7768}, {40.3515, 18.175}}

// directoryBenchSet builds n services, each at its own location with its
// languages, category words and weekly hours (Europe/Rome).
func directoryBenchSet(n int, seed uint64) *hsds.Set {
	r := rand.New(rand.NewPCG(seed, 1))
	set := hsds.NewSet()
	rec := func(table string, fields map[string]any) {
		m := map[string]json.RawMessage{}
		for k, v := range fields {
			b, _ := json.Marshal(v)
			m[k] = b
		}
		set.Add(&hsds.Record{Table: table, Fields: m})
	}
	rec("organization", map[string]any{"id": "org", "name": "Rete", "description": "Rete dei servizi"})
	days := []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
	for i := range n {
		var lat, lon float64
		if r.IntN(10) < 7 {
			c := benchCities[r.IntN(len(benchCities))]
			lat, lon = c[0]+r.NormFloat64()*0.06, c[1]+r.NormFloat64()*0.08
		} else {
			lat, lon = 37+r.Float64()*9.5, 7+r.Float64()*11
		}
		id := fmt.Sprintf("s%06d", i)
		words := []string{benchWords[r.IntN(len(benchWords))], benchWords[r.IntN(len(benchWords))], benchWords[r.IntN(len(benchWords))]}
		rec("service", map[string]any{"id": id, "organization_id": "org", "name": strings.ToUpper(words[0][:1]) + words[0][1:] + " " + words[1] + " " + fmt.Sprint(i),
			"status": "active", "description": "Servizio di " + strings.Join(words, " ") + " per chi ne ha bisogno."})
		rec("location", map[string]any{"id": "l" + id, "location_type": "physical", "latitude": lat, "longitude": lon, "confidential": r.IntN(100) == 0})
		rec("service_at_location", map[string]any{"id": "sl" + id, "service_id": id, "location_id": "l" + id})
		rec("language", map[string]any{"id": "la" + id, "service_id": id, "code": "it"})
		for j := range r.IntN(3) {
			rec("language", map[string]any{"id": fmt.Sprintf("la%s-%d", id, j), "service_id": id, "code": benchLangs[1+r.IntN(len(benchLangs)-1)]})
		}
		start := 8 + r.IntN(4)
		rec("schedule", map[string]any{"id": "sc" + id, "service_id": id, "freq": "WEEKLY", "byday": strings.Join(days[:5+r.IntN(3)], ","),
			"opens_at": fmt.Sprintf("%02d:00", start), "closes_at": fmt.Sprintf("%02d:30", start+4+r.IntN(6)), "time_zone": "Europe/Rome"})
	}
	return set
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDirectorySearch measures text + distance searches (a word,
// within 10 km of a city, the nearest 20), the budget being p99
// under 20 ms, over 50,000 service locations; and the citizen's search
// with a language spoken and "open now" added. p50 and p99 are reported
// as metrics. Seeding takes a while: run it with -benchtime 2000x.
func BenchmarkDirectorySearch(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			org, _ := seedOrg(b, s, "bench")
			ctx := context.Background()
			start := time.Now()
			if _, err := s.ImportDirectory(ctx, org.ID, directoryBenchSet(directoryBenchSites, 1), store.ImportOptions{}); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: imported %d service locations in %v", e, directoryBenchSites, time.Since(start).Round(time.Millisecond))
			for _, variant := range []struct {
				name string
				q    func(r *rand.Rand) store.SiteQuery
			}{
				{"text+distance", func(r *rand.Rand) store.SiteQuery {
					c := benchCities[r.IntN(len(benchCities))]
					return store.SiteQuery{Text: benchWords[r.IntN(len(benchWords))], Near: &store.Point{Lat: c[0], Lon: c[1]}, RadiusKM: 10}
				}},
				{"text+language+open+distance", func(r *rand.Rand) store.SiteQuery {
					c := benchCities[r.IntN(len(benchCities))]
					return store.SiteQuery{Text: benchWords[r.IntN(len(benchWords))], Language: "ar", OpenAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
						Near: &store.Point{Lat: c[0], Lon: c[1]}, RadiusKM: 10}
				}},
			} {
				b.Run(variant.name, func(b *testing.B) {
					r := rand.New(rand.NewPCG(2, 2))
					lat := make([]time.Duration, 0, b.N)
					found := 0
					cpu0 := cpuTime()
					b.ResetTimer()
					for range b.N {
						q := variant.q(r)
						t0 := time.Now()
						sites, _, err := s.SearchDirectory(ctx, org.ID, q)
						lat = append(lat, time.Since(t0))
						if err != nil {
							b.Fatal(err)
						}
						found += len(sites)
					}
					b.StopTimer()
					// CPU time of this process (the SQL engine too on SQLite, not
					// PostgreSQL's server): on a busy machine wall-clock latencies
					// include the wait for a core, this does not.
					b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
					b.ReportMetric(pct(0.50), "p50-ms")
					b.ReportMetric(pct(0.99), "p99-ms")
					b.ReportMetric(float64(found)/float64(b.N), "results/op")
				})
			}
		})
	}
}
