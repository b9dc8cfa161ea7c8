package portal

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/sportello/sportello/internal/hours"
)

// orgSettings is what the portal reads from an organisation's settings
// document (store.OrganizationSettings):
//
//	{
//	  "hours": { …hours.Calendar… },
//	  "webchat": {
//	    "allowed_origins": ["https://www.example.org"],
//	    "privacy_url": "https://www.example.org/privacy",
//	    "prechat": {
//	      "enabled": true,
//	      "name": "optional",             // "off", "optional" (default) or "required"
//	      "contact": "optional",          // a phone or an e-mail for a later answer; same choices
//	      "topics": [{"id": "permit", "label": {"it": "Permesso di soggiorno", "en": "Residence permit"}}],
//	      "consent_version": "privacy-2026-01"
//	    }
//	  }
//	}
//
// allowed_origins are the sites (scheme://host[:port]) that may embed the
// chat with widget.js; no list, no embedding. With a pre-chat form the
// visitor must agree to the processing of their data before the first
// message; the consent is recorded with consent_version ("webchat" when
// unset) as the version of the text they saw. Malformed settings are
// logged and read as empty: the chat still works, without embedding or
// form.
type orgSettings struct {
	Hours   *hours.Calendar `json:"hours"`
	Webchat webchatSettings `json:"webchat"`
}

type webchatSettings struct {
	AllowedOrigins []string         `json:"allowed_origins"`
	PrivacyURL     string           `json:"privacy_url"`
	Prechat        *prechatSettings `json:"prechat"`
}

type prechatSettings struct {
	Enabled        *bool   `json:"enabled"` // absent: on, since the object is there
	Name           string  `json:"name"`
	Contact        string  `json:"contact"`
	Topics         []topic `json:"topics"`
	ConsentVersion string  `json:"consent_version"`
}

type topic struct {
	ID    string            `json:"id"`
	Label map[string]string `json:"label"`
}

// Field requirements of the pre-chat form.
const (
	fieldOff      = "off"
	fieldOptional = "optional"
	fieldRequired = "required"
)

// defaultConsentVersion names the consent text when the settings do not.
const defaultConsentVersion = "webchat"

// chatConfig is the settings checked and ready for requests.
type chatConfig struct {
	origins    []string // normalised scheme://host[:port]
	privacyURL string
	prechat    *prechat // nil: no form
	schedule   *hours.Schedule
}

type prechat struct {
	name, contact  string // off, optional, required
	topics         []topic
	consentVersion string
}

// parsedSettings is an organisation's settings document as parsed, kept
// while the document stays the same: every citizen request needs it, and
// parsing compiles the calendar (its time zone included). Each open chat
// keeps a reference, so that a thousand open pages share one.
type parsedSettings struct {
	doc      string
	cfg      *chatConfig
	problems []string
}

// settingsOf returns the parsed settings of an organisation whose
// document is doc; fresh says it was parsed now (its problems are new to
// the log). The result is shared: read only.
func (p *Portal) settingsOf(orgID int64, doc string) (*chatConfig, []string, bool) {
	p.settingsMu.Lock()
	ps, ok := p.settings[orgID]
	p.settingsMu.Unlock()
	if ok && ps.doc == doc {
		return ps.cfg, ps.problems, false
	}
	cfg, problems := parseSettings(doc)
	p.settingsMu.Lock()
	if len(p.settings) >= 10000 {
		clear(p.settings)
	}
	p.settings[orgID] = &parsedSettings{doc: doc, cfg: cfg, problems: problems}
	p.settingsMu.Unlock()
	return cfg, problems, true
}

// parseSettings reads doc; problems are returned for the log alongside
// the usable part.
func parseSettings(doc string) (*chatConfig, []string) {
	cfg := &chatConfig{}
	var problems []string
	var s orgSettings
	if strings.TrimSpace(doc) != "" {
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			return cfg, []string{"settings: " + err.Error()}
		}
	}
	if s.Hours != nil {
		sched, err := hours.Compile(*s.Hours)
		if err != nil {
			problems = append(problems, "hours: "+err.Error())
		} else {
			cfg.schedule = sched
		}
	}
	for _, o := range s.Webchat.AllowedOrigins {
		if n, ok := normalizeOrigin(o); ok {
			cfg.origins = append(cfg.origins, n)
		} else {
			problems = append(problems, "webchat.allowed_origins: not an origin: "+o)
		}
	}
	if u, err := url.Parse(s.Webchat.PrivacyURL); s.Webchat.PrivacyURL != "" {
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, "webchat.privacy_url: not an http(s) address")
		} else {
			cfg.privacyURL = u.String()
		}
	}
	if pc := s.Webchat.Prechat; pc != nil && (pc.Enabled == nil || *pc.Enabled) {
		f := &prechat{name: field(pc.Name), contact: field(pc.Contact), consentVersion: strings.TrimSpace(pc.ConsentVersion)}
		if f.consentVersion == "" || len(f.consentVersion) > 100 {
			f.consentVersion = defaultConsentVersion
		}
		for _, t := range pc.Topics {
			if t.ID == "" || len(t.ID) > 100 {
				problems = append(problems, "webchat.prechat.topics: a topic needs an id of up to 100 characters")
				continue
			}
			f.topics = append(f.topics, t)
		}
		cfg.prechat = f
	}
	return cfg, problems
}

func field(s string) string {
	switch s {
	case fieldOff, fieldRequired:
		return s
	}
	return fieldOptional
}

// normalizeOrigin turns "https://Example.org/" into "https://example.org";
// anything with a path, query or user is not an origin.
func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), true
}

// label is a topic's name in lang, else in the desk's language, else in
// English, else its id.
func (t topic) label(lang, deskLang string) string {
	for _, l := range []string{lang, deskLang, "en"} {
		if s := strings.TrimSpace(t.Label[l]); s != "" {
			return s
		}
	}
	return t.ID
}

// topic returns the topic with id.
func (f *prechat) topic(id string) (topic, bool) {
	for _, t := range f.topics {
		if t.ID == id {
			return t, true
		}
	}
	return topic{}, false
}
