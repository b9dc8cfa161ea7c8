package hsds_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sportello/sportello/internal/hsds"
)

// Open Referral's package has placeholder coordinates (100, 101) and four
// optional references to records it leaves out: strict checking refuses
// it naming each, lenient checking lets them through as warnings.
func TestOpenReferralStrictAndLenient(t *testing.T) {
	s, err := hsds.ParseCSV(os.DirFS("testdata/openreferral/csv"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range hsds.Validate(s, hsds.Options{}) {
		got = append(got, p.Where+" "+p.Field+" "+p.Code)
	}
	want := []string{
		"locations.csv:2 latitude coordinates",
		"locations.csv:2 organization_id reference",
		"contacts.csv:2 organization_id reference",
		"contacts.csv:2 service_at_location_id reference",
		"taxonomy_terms.csv:2 taxonomy_id reference",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("strict problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := hsds.Check(s, hsds.Options{Lenient: true}); err != nil {
		t.Errorf("lenient: %v", err)
	}
}

// A broken package yields every problem, each with its file, line and
// field; nothing is guessed or dropped.
func TestValidateEveryProblem(t *testing.T) {
	fsys := fstest.MapFS{
		"organizations.csv":       {Data: []byte("id,name,description\no1,Caritas,Mensa\no2,,\n")},
		"services.csv":            {Data: []byte("id,organization_id,name,status,minimum_age\ns1,o1,Mensa,active,0\ns2,o9,Legale,open,many\n")},
		"locations.csv":           {Data: []byte("id,location_type,latitude,longitude\nl1,physical,41.9,12.5\nl2,physical,91,12\nl3,physical,45,\n")},
		"service_at_location.csv": {Data: []byte("id,service_id,location_id\nsl1,s1,l1\nsl2,s1,l7\n")},
		"schedules.csv":           {Data: []byte("id,service_id,opens_at,valid_from\nsc1,s1,9 am,2026-13-40\n")},
		"phones.csv":              {Data: []byte("id,number\np1,1,2\n")},
	}
	s, err := hsds.ParseCSV(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range hsds.Validate(s, hsds.Options{}) {
		got = append(got, p.Where+" "+p.Field+" "+p.Code)
	}
	want := []string{
		"organizations.csv:3 name required",
		"organizations.csv:3 description required",
		"services.csv:3 status enum",
		"services.csv:3 minimum_age type",
		"services.csv:3 organization_id reference",
		"service_at_location.csv:3 location_id reference",
		"locations.csv:3 latitude coordinates",
		"locations.csv:4 latitude coordinates",
		"phones.csv:2  cells",
		"schedules.csv:2 valid_from type",
		"schedules.csv:2 opens_at type",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseJSONProblemsHaveJSONPaths(t *testing.T) {
	s, err := hsds.ParseJSON("x.json", []byte(`{"id":"s1","name":"Mensa","status":"active","organization_id":"o1",
		"service_at_locations":[{"id":"sl1","location":{"id":"l1","location_type":"physical","latitude":200,"longitude":9}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range hsds.Validate(s, hsds.Options{}) {
		got = append(got, p.String())
	}
	want := []string{
		`x.json $: organization_id: refers to organization "o1", which is not in the data`,
		`x.json $.service_at_locations[0].location: latitude: 200 is outside -90…90`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
