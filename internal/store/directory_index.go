package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/hsds"
)

// The search rows derived from an organisation's HSDS records.
type indexedService struct {
	id, name, status, search, categories, verifiedOn, owner string
	sites                                                   []indexedSite
}

type indexedSite struct {
	id, locationID   string
	lat, lon         float64
	hasPos           bool
	confidential     bool
	languages, place string // " ar it ", folded place words
	hours            string // hours.Calendar as JSON, "" unknown
}

type directoryIndex struct {
	services []indexedService
}

// byField indexes the records of one table by the value of one field.
func byField(set *hsds.Set, table, field string) map[string][]*hsds.Record {
	m := map[string][]*hsds.Record{}
	for _, r := range set.Of(table) {
		if v := r.String(field); v != "" {
			m[v] = append(m[v], r)
		}
	}
	return m
}

func indexDirectory(set *hsds.Set) directoryIndex {
	salsBySvc := byField(set, "service_at_location", "service_id")
	langsBySvc := byField(set, "language", "service_id")
	langsByLoc := byField(set, "language", "location_id")
	addrByLoc := byField(set, "address", "location_id")
	attrsByLink := byField(set, "attribute", "link_id")
	schedBySAL := byField(set, "schedule", "service_at_location_id")
	schedBySvc := byField(set, "schedule", "service_id")
	schedByLoc := byField(set, "schedule", "location_id")

	var idx directoryIndex
	for _, svc := range set.Of("service") {
		sv := indexedService{
			id:         svc.ID(),
			name:       svc.String("name"),
			status:     svc.String("status"),
			verifiedOn: svc.String("assured_date"),
			owner:      svc.String("assurer_email"),
		}
		text := []string{sv.name, svc.String("alternate_name"), svc.String("description"), svc.String("eligibility_description"),
			svc.String("application_process"), svc.String("interpretation_services"), svc.String("fees_description")}
		if org := set.Get("organization", svc.String("organization_id")); org != nil {
			text = append(text, org.String("name"), org.String("alternate_name"))
		}
		text = append(text, translatedTexts(svc)...)
		var cats []string
		for _, a := range attrsByLink[sv.id] {
			term := set.Get("taxonomy_term", a.String("taxonomy_term_id"))
			cats = append(cats, fold(a.String("taxonomy_term_id")))
			if term != nil {
				cats = append(cats, fold(term.String("code")))
				text = append(text, term.String("name"))
			}
		}
		var svcLangs []string
		for _, l := range langsBySvc[sv.id] {
			if l.String("location_id") == "" {
				svcLangs = append(svcLangs, langCode(l))
			}
		}
		sals := salsBySvc[sv.id]
		for _, sal := range sals {
			loc := set.Get("location", sal.String("location_id"))
			si := indexedSite{id: sal.ID(), locationID: sal.String("location_id")}
			langs := append([]string(nil), svcLangs...)
			var scheds []*hsds.Record
			scheds = append(scheds, schedBySAL[sal.ID()]...)
			if loc != nil {
				si.lat, si.lon, si.hasPos = hsds.Position(loc)
				si.confidential = loc.Bool("confidential")
				for _, l := range langsByLoc[loc.ID()] {
					langs = append(langs, langCode(l))
				}
				var place []string
				for _, a := range addrByLoc[loc.ID()] {
					place = append(place, a.String("city"), a.String("postal_code"), a.String("state_province"), a.String("region"))
					if !si.confidential {
						text = append(text, a.String("city"))
					}
				}
				si.place = " " + strings.Join(indexWords(strings.Join(place, " ")), " ") + " "
				if len(scheds) == 0 {
					for _, s := range schedBySvc[sv.id] {
						if s.String("location_id") == loc.ID() {
							scheds = append(scheds, s)
						}
					}
				}
				if len(scheds) == 0 {
					for _, s := range schedByLoc[loc.ID()] {
						if s.String("service_id") == "" && s.String("service_at_location_id") == "" {
							scheds = append(scheds, s)
						}
					}
				}
			}
			if len(scheds) == 0 {
				scheds = serviceWideSchedules(schedBySvc[sv.id])
			}
			si.languages = " " + strings.Join(sortedUnique(langs), " ") + " "
			si.hours = scheduleCalendar(scheds)
			sv.sites = append(sv.sites, si)
		}
		if len(sals) == 0 {
			sv.sites = append(sv.sites, indexedSite{
				id:        sv.id,
				languages: " " + strings.Join(sortedUnique(svcLangs), " ") + " ",
				place:     " ",
				hours:     scheduleCalendar(serviceWideSchedules(schedBySvc[sv.id])),
			})
		}
		sv.search = " " + strings.Join(sortedUnique(indexWords(strings.Join(text, " "))), " ") + " "
		if len(sv.search) > 20000 {
			sv.search = sv.search[:20000]
		}
		sv.categories = " " + strings.Join(sortedUnique(cats), " ") + " "
		idx.services = append(idx.services, sv)
	}
	return idx
}

func serviceWideSchedules(ss []*hsds.Record) []*hsds.Record {
	var out []*hsds.Record
	for _, s := range ss {
		if s.String("location_id") == "" && s.String("service_at_location_id") == "" {
			out = append(out, s)
		}
	}
	return out
}

func langCode(l *hsds.Record) string {
	c := strings.ToLower(strings.TrimSpace(l.String("code")))
	if c == "" {
		return ""
	}
	if i := strings.IndexAny(c, "-_"); i > 0 {
		c = c[:i]
	}
	return c
}

// translatedTexts are the texts of Sportello's "translations" profile
// field: {"ar": {"name": "...", "description": "..."}, ...}.
func translatedTexts(svc *hsds.Record) []string {
	raw, ok := svc.Fields["translations"]
	if !ok {
		return nil
	}
	var tr map[string]map[string]string
	if json.Unmarshal(raw, &tr) != nil {
		return nil
	}
	var out []string
	for _, fields := range tr {
		for _, v := range fields {
			out = append(out, v)
		}
	}
	return out
}

var weekdays = map[string]int{"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}

// scheduleCalendar turns HSDS weekly schedules into an hours.Calendar (as
// JSON), "" when they say nothing a calendar can hold. Times are wall
// clock in the schedule's zone: Sportello's profile field time_zone (an
// IANA name), else the HSDS timezone offset in whole hours, else
// Europe/Rome.
func scheduleCalendar(scheds []*hsds.Record) string {
	var c hours.Calendar
	var days [7][]hours.Shift
	any := false
	for _, s := range scheds {
		if f := strings.ToUpper(s.String("freq")); f != "" && f != "WEEKLY" {
			continue
		}
		open, ok1 := clock(s.String("opens_at"))
		closeAt, ok2 := clock(s.String("closes_at"))
		if !ok1 || !ok2 || closeAt <= open {
			continue
		}
		if c.TimeZone == "" {
			c.TimeZone = scheduleZone(s)
		}
		for _, d := range strings.Split(strings.ToUpper(s.String("byday")), ",") {
			wd, ok := weekdays[strings.TrimSpace(d)]
			if !ok {
				continue
			}
			days[wd] = append(days[wd], hours.Shift{Start: open, End: closeAt})
			any = true
		}
	}
	if !any {
		return ""
	}
	c.Weekly = hours.Weekly{Mon: days[0], Tue: days[1], Wed: days[2], Thu: days[3], Fri: days[4], Sat: days[5], Sun: days[6]}
	if _, err := hours.Compile(c); err != nil {
		// Overlapping shifts, an unknown zone: better no hours than wrong.
		return ""
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func scheduleZone(s *hsds.Record) string {
	if z := s.String("time_zone"); z != "" {
		return z
	}
	if off, ok := s.Number("timezone"); ok && off == float64(int(off)) && off >= -12 && off <= 14 {
		if off == 0 {
			return "UTC"
		}
		// Etc/GMT zones have the sign the other way round.
		return fmt.Sprintf("Etc/GMT%+d", -int(off))
	}
	return hours.DefaultTimeZone
}

// clock turns "10:00", "10:00:00" or "10:00:00+01:00" into "10:00".
func clock(s string) (string, bool) {
	if len(s) < 5 || s[2] != ':' {
		return "", false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil || h > 24 || m > 59 || h == 24 && m != 0 {
		return "", false
	}
	return s[:5], true
}
