package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// conversationList is a page of conversations.
type conversationList struct {
	Items      []*model.Conversation `json:"items"`
	NextCursor *string               `json:"next_cursor"`
}

// listConversations answers the conversations the caller may see, newest
// activity first, filtered and paged.
func (a *API) listConversations(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	f, err := parseConversationFilter(r.URL.RawQuery, actor.User.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items, next, err := a.desk.Conversations(r.Context(), actor, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, conversationList{Items: items, NextCursor: nextCursor(next)})
}

// nextCursor is null on the last page.
func nextCursor(c string) *string {
	if c == "" {
		return nil
	}
	return &c
}
