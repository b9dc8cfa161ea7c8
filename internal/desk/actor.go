// Package desk holds the desk's use cases — replying, assigning, changing
// status, signing in — over the store. Handlers of every surface (console,
// API, channels) call it, so the rules live in one place.
package desk

import (
	"slices"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Actor is the user on whose behalf a request runs.
type Actor struct {
	User    *model.User
	TeamIDs []int64
	Via     string // "session" or "token", for the audit log
	IP      string
}

// OrgID is the actor's organisation: every query is scoped by it.
func (a *Actor) OrgID() int64 { return a.User.OrgID }

// Can reports whether the actor's role holds p.
func (a *Actor) Can(p model.Permission) bool { return a.User.Active && a.User.Role.Can(p) }

// Visibility narrows conversation lists to what the actor may see.
func (a *Actor) Visibility() store.Visibility {
	v := store.Visibility{UserID: a.User.ID, Restricted: a.Can(model.PermConversationsRestricted)}
	switch {
	case a.Can(model.PermConversationsReadAll):
	case a.Can(model.PermConversationsReadTeam):
		v.TeamScoped, v.TeamIDs = true, a.TeamIDs
	default:
		v.AssignedOnly = true
	}
	return v
}

// CanSee reports whether the actor may open conversation c.
func (a *Actor) CanSee(c *model.Conversation) bool {
	if c.OrgID != a.OrgID() {
		return false
	}
	if c.AssigneeID == a.User.ID {
		return true
	}
	if c.Restricted && !a.Can(model.PermConversationsRestricted) {
		return false
	}
	switch {
	case a.Can(model.PermConversationsReadAll):
		return true
	case a.Can(model.PermConversationsReadTeam):
		return c.TeamID == 0 || slices.Contains(a.TeamIDs, c.TeamID)
	}
	return false
}
