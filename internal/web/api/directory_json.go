package api

import (
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The JSON shapes of the directory and referral endpoints.

type siteJSON struct {
	ID           string   `json:"id"`
	ServiceID    string   `json:"service_id"`
	LocationID   string   `json:"location_id,omitempty"`
	Name         string   `json:"name"`
	Latitude     *float64 `json:"latitude,omitempty"`
	Longitude    *float64 `json:"longitude,omitempty"`
	Confidential bool     `json:"confidential"`
	DistanceKM   *float64 `json:"distance_km,omitempty"`
	Languages    []string `json:"languages"`
	Open         *bool    `json:"open,omitempty"`
}

func siteOf(s store.Site, near bool) siteJSON {
	out := siteJSON{ID: s.ID, ServiceID: s.ServiceID, LocationID: s.LocationID, Name: s.Name, Confidential: s.Confidential, Languages: s.Languages, Open: s.Open}
	if out.Languages == nil {
		out.Languages = []string{}
	}
	if s.HasPosition {
		lat, lon := s.Lat, s.Lon
		out.Latitude, out.Longitude = &lat, &lon
	}
	if near {
		d := s.DistanceKM
		out.DistanceKM = &d
	}
	return out
}

type referralEventJSON struct {
	Status string    `json:"status"`
	Note   string    `json:"note"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

type referralJSON struct {
	ID             int64                `json:"id"`
	Organization   string               `json:"organization"`
	ConversationID int64                `json:"conversation_id,omitempty"` // the referrer's only
	ConsentID      int64                `json:"consent_id,omitempty"`
	ServiceID      string               `json:"service_id,omitempty"`
	ServiceName    string               `json:"service_name,omitempty"`
	Partner        string               `json:"partner"`
	PartnerEmail   string               `json:"partner_email,omitempty"`
	Fields         store.ReferralFields `json:"fields"`
	Reason         string               `json:"reason"`
	Status         string               `json:"status"`
	Overdue        bool                 `json:"overdue"`
	DueAt          time.Time            `json:"due_at"`
	CreatedAt      time.Time            `json:"created_at"`
	UpdatedAt      time.Time            `json:"updated_at"`
	EmailSubject   string               `json:"email_subject,omitempty"`
	EmailBody      string               `json:"email_body,omitempty"`
	Link           string               `json:"link,omitempty"` // shown once, at creation
	Events         []referralEventJSON  `json:"events,omitempty"`
}

// referralOf shapes a referral for the side that reads it: a partner
// does not see the referrer's case or consent ids, nor the e-mail.
func referralOf(r *store.Referral, received bool, now time.Time) referralJSON {
	out := referralJSON{ID: r.ID, Organization: r.OrgName, ServiceID: r.ServiceID, ServiceName: r.ServiceName, Partner: r.PartnerName,
		PartnerEmail: r.PartnerEmail, Fields: r.Fields, Reason: r.Reason, Status: r.Status, Overdue: r.Overdue(now), DueAt: r.DueAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if !received {
		out.ConversationID, out.ConsentID, out.EmailSubject, out.EmailBody = r.ConversationID, r.ConsentID, r.EmailSubject, r.EmailBody
	}
	for _, e := range r.Events {
		out.Events = append(out.Events, referralEventJSON{Status: e.Status, Note: e.Note, By: e.ByLabel, At: e.At})
	}
	return out
}

// linkBase is the desk's address as the client reached it, for links.
func linkBase(r *http.Request) string {
	if web.IsHTTPS(r) {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
