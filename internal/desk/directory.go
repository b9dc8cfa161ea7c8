package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// The directory of services (docs/DIRECTORY.md): citizens search it on
// the portal, operators in the console and send its cards into chats,
// partners read it through the HSDS API. Confidential locations keep their
// address and position from everyone without PermDirectoryConfidential.

// ErrNoService is the error of a service id not in the directory.
var ErrNoService = &model.Error{Code: model.CodeNotFound, Key: "directory.error.no_service", Message: "no such service in the directory"}

// StaleAfter is how old a service's last verification may be before it is
// listed for review, unless the organisation's settings say otherwise
// (directory.stale_days).
const StaleAfter = 180 * 24 * time.Hour

// PublicSites searches the directory as the public sees it.
func (d *Service) PublicSites(ctx context.Context, orgID int64, q store.SiteQuery) ([]store.Site, int, error) {
	q.Confidential, q.AllStatuses = false, false
	return d.st.SearchDirectory(ctx, orgID, q)
}

// SearchSites searches the directory for an operator, who sees the
// positions of confidential locations with PermDirectoryConfidential.
func (d *Service) SearchSites(ctx context.Context, a *Actor, q store.SiteQuery) ([]store.Site, int, error) {
	if !a.Can(model.PermDirectoryRead) {
		return nil, 0, errForbidden
	}
	q.Confidential = a.Can(model.PermDirectoryConfidential)
	return d.st.SearchDirectory(ctx, a.OrgID(), q)
}

// PlacePoint finds where a typed place is — a CAP, a comune, a province —
// from the directory's own addresses: the middle of the locations whose
// address matches. Confidential locations are not used.
func (d *Service) PlacePoint(ctx context.Context, orgID int64, place string) (*store.Point, bool) {
	if strings.TrimSpace(place) == "" {
		return nil, false
	}
	sites, _, err := d.st.SearchDirectory(ctx, orgID, store.SiteQuery{Place: place, Limit: store.SearchLimit})
	if err != nil {
		return nil, false
	}
	var lat, lon float64
	n := 0
	for _, s := range sites {
		if s.HasPosition && !s.Confidential {
			lat += s.Lat
			lon += s.Lon
			n++
		}
	}
	if n == 0 {
		return nil, false
	}
	return &store.Point{Lat: lat / float64(n), Lon: lon / float64(n)}, true
}

// Card is a service as a citizen reads it, in one language.
type Card struct {
	ID, Name, Description, Organization string
	Eligibility, Application, Fees      string
	Alert                               string
	URL, Email                          string
	Status                              string
	Languages                           []string
	Documents                           []string
	Phones                              []CardPhone
	Places                              []CardPlace
	Categories                          []string
	VerifiedOn, Owner                   string
}

// CardPhone is a phone number of a service.
type CardPhone struct{ Number, Description string }

// Tel is the number for a tel: link: its digits and a leading +.
func (p CardPhone) Tel() string {
	var b strings.Builder
	for i, r := range p.Number {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CardPlace is where a service is given.
type CardPlace struct {
	SiteID       string
	Name         string
	Address      []string // lines; empty when confidential and hidden
	Lat, Lon     float64
	HasPosition  bool
	Confidential bool
	Hidden       bool        // confidential and the reader may not see where
	Days         [7][]string // Monday first: "09:00–13:00"
	HasHours     bool
	Open         *bool
	Transport    string
}

// ServiceCard builds the card of a service in lang (its translation when
// the record has one). confidential says whether the reader may see
// confidential locations.
func (d *Service) ServiceCard(ctx context.Context, orgID int64, serviceID, lang string, confidential bool) (*Card, error) {
	dir, err := d.st.DirectoryView(ctx, orgID)
	if err != nil {
		return nil, err
	}
	svc := dir.Set.Get("service", serviceID)
	if svc == nil {
		return nil, ErrNoService
	}
	set := dir.Set
	c := &Card{
		ID: serviceID, Name: svc.String("name"), Description: svc.String("description"),
		Eligibility: svc.String("eligibility_description"), Application: svc.String("application_process"),
		Fees: svc.String("fees_description"), Alert: svc.String("alert"), URL: svc.String("url"), Email: svc.String("email"),
		Status: svc.String("status"), VerifiedOn: svc.String("assured_date"), Owner: svc.String("assurer_email"),
	}
	applyTranslation(svc, lang, c)
	if org := set.Get("organization", svc.String("organization_id")); org != nil {
		c.Organization = org.String("name")
	}
	langs := map[string]bool{}
	for _, r := range dir.Referring("language", "service_id", serviceID) {
		if r.String("code") != "" {
			langs[strings.ToLower(r.String("code"))] = true
		}
	}
	for _, r := range dir.Referring("required_document", "service_id", serviceID) {
		if r.String("document") != "" {
			c.Documents = append(c.Documents, r.String("document"))
		}
	}
	for _, r := range dir.Referring("phone", "service_id", serviceID) {
		c.Phones = append(c.Phones, CardPhone{Number: r.String("number"), Description: r.String("description")})
	}
	for _, r := range dir.Referring("attribute", "link_id", serviceID) {
		if t := set.Get("taxonomy_term", r.String("taxonomy_term_id")); t != nil {
			c.Categories = append(c.Categories, t.String("name"))
		}
	}
	sites, _, err := d.st.SearchDirectory(ctx, orgID, store.SiteQuery{AllStatuses: true, Confidential: confidential, Limit: store.SearchLimit, ServiceID: serviceID})
	if err != nil {
		return nil, err
	}
	for _, s := range sites {
		for _, l := range s.Languages {
			langs[l] = true
		}
		pl := CardPlace{SiteID: s.ID, Confidential: s.Confidential, Open: s.Open, Lat: s.Lat, Lon: s.Lon, HasPosition: s.HasPosition}
		if loc := set.Get("location", s.LocationID); loc != nil {
			pl.Name = loc.String("name")
			pl.Hidden = s.Confidential && !confidential
			if !pl.Hidden {
				pl.Transport = loc.String("transportation")
				for _, a := range dir.Referring("address", "location_id", loc.ID()) {
					pl.Address = append(pl.Address, addressLines(a)...)
				}
			}
			for _, ph := range dir.Referring("phone", "location_id", loc.ID()) {
				if ph.String("service_id") == "" {
					c.Phones = append(c.Phones, CardPhone{Number: ph.String("number"), Description: ph.String("description")})
				}
			}
		}
		if s.Hours != "" {
			var cal hours.Calendar
			if json.Unmarshal([]byte(s.Hours), &cal) == nil {
				pl.HasHours = true
				for i, shifts := range [7][]hours.Shift{cal.Weekly.Mon, cal.Weekly.Tue, cal.Weekly.Wed, cal.Weekly.Thu, cal.Weekly.Fri, cal.Weekly.Sat, cal.Weekly.Sun} {
					for _, sh := range shifts {
						pl.Days[i] = append(pl.Days[i], sh.Start+"–"+sh.End)
					}
				}
			}
		}
		c.Places = append(c.Places, pl)
	}
	for l := range langs {
		c.Languages = append(c.Languages, l)
	}
	sort.Strings(c.Languages)
	return c, nil
}

func addressLines(a *hsds.Record) []string {
	var out []string
	for _, f := range []string{"address_1", "address_2"} {
		if v := a.String(f); v != "" {
			out = append(out, v)
		}
	}
	city := strings.TrimSpace(strings.Join(nonEmpty(a.String("postal_code"), a.String("city")), " "))
	if p := a.String("state_province"); p != "" {
		city += " (" + p + ")"
	}
	if city != "" {
		out = append(out, city)
	}
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// applyTranslation puts the texts of the record's translations in lang
// (Sportello's profile field) over the Italian ones.
func applyTranslation(svc *hsds.Record, lang string, c *Card) {
	raw, ok := svc.Fields["translations"]
	if !ok {
		return
	}
	var tr map[string]map[string]string
	if json.Unmarshal(raw, &tr) != nil {
		return
	}
	t := tr[lang]
	for field, dst := range map[string]*string{
		"name": &c.Name, "description": &c.Description, "eligibility_description": &c.Eligibility,
		"application_process": &c.Application, "fees_description": &c.Fees, "alert": &c.Alert,
	} {
		if v := strings.TrimSpace(t[field]); v != "" {
			*dst = v
		}
	}
}

// ServiceCard for an operator: PermDirectoryRead, and confidential
// locations shown with PermDirectoryConfidential.
func (d *Service) OperatorServiceCard(ctx context.Context, a *Actor, serviceID, lang string) (*Card, error) {
	if !a.Can(model.PermDirectoryRead) {
		return nil, errForbidden
	}
	return d.ServiceCard(ctx, a.OrgID(), serviceID, lang, a.Can(model.PermDirectoryConfidential))
}

// ImportDirectory imports HSDS records into the actor's organisation;
// audited.
func (d *Service) ImportDirectory(ctx context.Context, a *Actor, set *hsds.Set, opt store.ImportOptions) (*store.ImportResult, error) {
	if !a.Can(model.PermDirectoryManage) {
		return nil, errForbidden
	}
	res, err := d.st.ImportDirectory(ctx, a.OrgID(), set, opt)
	if err != nil {
		return nil, err
	}
	d.Audit(ctx, a, "directory_import", "directory", 0, fmt.Sprintf("%d records, replace %v", res.Records, opt.Replace))
	return res, nil
}

// ExportDirectory returns the whole directory, confidential addresses
// included; audited.
func (d *Service) ExportDirectory(ctx context.Context, a *Actor) (*hsds.Set, error) {
	if !a.Can(model.PermDirectoryManage) {
		return nil, errForbidden
	}
	set, err := d.st.DirectoryExport(ctx, a.OrgID())
	if err != nil {
		return nil, err
	}
	d.Audit(ctx, a, "directory_export", "directory", 0, fmt.Sprintf("%d records", set.Len()))
	return set, nil
}

// StaleServices lists the services not verified for longer than the
// organisation allows (StaleAfter by default).
func (d *Service) StaleServices(ctx context.Context, a *Actor) ([]store.StaleService, error) {
	if !a.Can(model.PermDirectoryRead) {
		return nil, errForbidden
	}
	before := d.now().In(romeZone()).Add(-StaleAfter).Format(time.DateOnly)
	return d.st.StaleServices(ctx, a.OrgID(), before, 0)
}

// VerifyService records that the actor checked a service today: its HSDS
// assured_date becomes today (in Rome) and assurer_email the actor's.
func (d *Service) VerifyService(ctx context.Context, a *Actor, serviceID string) error {
	if !a.Can(model.PermDirectoryManage) {
		return errForbidden
	}
	dir, err := d.st.DirectoryView(ctx, a.OrgID())
	if err != nil {
		return err
	}
	svc := dir.Set.Get("service", serviceID)
	if svc == nil {
		return ErrNoService
	}
	r := &hsds.Record{Table: "service", Fields: map[string]json.RawMessage{}}
	for k, v := range svc.Fields {
		r.Fields[k] = v
	}
	r.Set("assured_date", d.now().In(romeZone()).Format(time.DateOnly))
	r.Set("assurer_email", a.User.Email)
	if err := d.st.PutDirectoryRecords(ctx, a.OrgID(), r); err != nil {
		return err
	}
	d.Audit(ctx, a, "directory_verify", "service", 0, serviceID)
	return nil
}

// HSDSDirectory is the directory as the HSDS API serves it: to anyone
// (a nil actor) and to a token's user without directory:confidential,
// confidential locations come without address, position or transport.
func (d *Service) HSDSDirectory(ctx context.Context, orgID int64, a *Actor) (*store.Directory, *hsds.Nester, error) {
	dir, err := d.st.DirectoryView(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	n := dir.Nester().With(hsdsFilter(dir.Set, d.now(), a == nil || !a.Can(model.PermDirectoryConfidential)))
	return dir, n, nil
}

// hsdsFilter gives schedules kept in an IANA zone (Sportello's
// time_zone) the HSDS timezone, a UTC offset, in force at now; and, when
// hide, takes out what a confidential location would give away.
func hsdsFilter(set *hsds.Set, now time.Time, hide bool) func(r *hsds.Record, o *hsds.Object) bool {
	return func(r *hsds.Record, o *hsds.Object) bool {
		if !hide && r.Table != "schedule" {
			return true
		}
		switch r.Table {
		case "schedule":
			if z := r.String("time_zone"); z != "" {
				if loc, err := time.LoadLocation(z); err == nil {
					_, off := now.In(loc).Zone()
					o.Put("timezone", off/3600)
				}
			}
		case "location":
			if r.Bool("confidential") {
				for _, f := range []string{"latitude", "longitude", "transportation", "external_identifier", "external_identifier_type"} {
					o.Delete(f)
				}
			}
		case "address", "accessibility":
			if loc := set.Get("location", r.String("location_id")); loc != nil && loc.Bool("confidential") {
				return false
			}
		}
		return true
	}
}

func romeZone() *time.Location {
	if loc, err := time.LoadLocation(hours.DefaultTimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// DirectorySettings are the organisation's settings under "directory":
//
//	{"directory": {"tile_url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
//	               "tile_attribution": "© OpenStreetMap contributors"}}
//
// tile_url is the map's tile server, any OpenStreetMap-compatible one
// (https, with {z}, {x} and {y}); the citizens' page allows images from
// its host and from nowhere else.
type DirectorySettings struct {
	TileURL         string `json:"tile_url"`
	TileAttribution string `json:"tile_attribution"`
}

// DefaultTileURL is OpenStreetMap's own tile server; its usage policy
// suits light use, a busy desk should name its own or a provider's.
const DefaultTileURL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// DirectoryConfig reads the organisation's directory settings; a missing
// or malformed tile URL gives the default.
func (d *Service) DirectoryConfig(ctx context.Context, orgID int64) DirectorySettings {
	ds := DirectorySettings{}
	if raw, err := d.st.OrganizationSetting(ctx, orgID, "directory"); err == nil && len(raw) > 0 {
		_ = json.Unmarshal(raw, &ds)
	}
	if !ValidTileURL(ds.TileURL) {
		ds.TileURL = DefaultTileURL
	}
	if ds.TileAttribution == "" {
		ds.TileAttribution = "© OpenStreetMap contributors"
	}
	return ds
}

// ValidTileURL reports whether u is an https tile URL template.
func ValidTileURL(u string) bool {
	return strings.HasPrefix(u, "https://") && strings.Contains(u, "{z}") && strings.Contains(u, "{x}") && strings.Contains(u, "{y}") &&
		!strings.ContainsAny(u, " \"'<>;")
}

// SendServiceCard sends a service's card into a conversation as a reply,
// in the conversation's language (the service's translation when it has
// one, the labels from the catalogs): name, where, when, phones and a
// link to the citizens' page of the service. A confidential location's
// address never goes into a chat. linkBase is the desk's public address.
func (d *Service) SendServiceCard(ctx context.Context, a *Actor, conversationID int64, serviceID, linkBase string) (*model.Message, error) {
	if !a.Can(model.PermDirectoryRead) {
		return nil, errForbidden
	}
	conv, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	org, err := d.st.Organization(ctx, a.OrgID())
	if err != nil {
		return nil, err
	}
	lang := conv.Language
	if lang == "" {
		lang = org.Language
	}
	pr, err := d.printer(lang)
	if err != nil {
		return nil, err
	}
	card, err := d.ServiceCard(ctx, a.OrgID(), serviceID, pr.Lang(), false)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(card.Name)
	if card.Description != "" {
		b.WriteString("\n" + card.Description)
	}
	days := []string{"chat.day_mon", "chat.day_tue", "chat.day_wed", "chat.day_thu", "chat.day_fri", "chat.day_sat", "chat.day_sun"}
	for _, pl := range card.Places {
		if pl.Hidden {
			b.WriteString("\n" + pr.T("services.confidential_note", nil))
		} else if len(pl.Address) > 0 {
			b.WriteString("\n" + pr.T("services.card_where", nil) + " " + strings.Join(pl.Address, ", "))
		}
		if pl.HasHours {
			b.WriteString("\n" + pr.T("services.hours", nil) + ":")
			for i, shifts := range pl.Days {
				if len(shifts) > 0 {
					b.WriteString("\n  " + pr.T(days[i], nil) + " " + strings.Join(shifts, ", "))
				}
			}
		}
	}
	for _, ph := range card.Phones {
		b.WriteString("\n" + pr.T("services.card_phone", nil) + " " + ph.Number)
	}
	if len(card.Documents) > 0 {
		b.WriteString("\n" + pr.T("services.documents", nil) + ": " + strings.Join(card.Documents, "; "))
	}
	b.WriteString("\n" + strings.TrimSuffix(linkBase, "/") + "/o/" + org.Slug + "/services/" + url.PathEscape(serviceID) + "?lang=" + pr.Lang())
	m := &model.Message{Direction: model.DirectionOutbound, Body: b.String()}
	if err := d.Post(ctx, a, conversationID, m); err != nil {
		return nil, err
	}
	return m, nil
}

// TranslateSiteNames puts each site's service name in lang, when the
// service's record has a translation (Sportello's profile field).
func (d *Service) TranslateSiteNames(ctx context.Context, orgID int64, lang string, sites []store.Site) {
	if len(sites) == 0 {
		return
	}
	dir, err := d.st.DirectoryView(ctx, orgID)
	if err != nil {
		return
	}
	for i := range sites {
		if svc := dir.Set.Get("service", sites[i].ServiceID); svc != nil {
			c := &Card{Name: sites[i].Name}
			applyTranslation(svc, lang, c)
			sites[i].Name = c.Name
		}
	}
}
