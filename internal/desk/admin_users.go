package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/model"
)

var errEmailTaken = &model.Error{Code: model.CodeConflict, Key: "error.user.email_taken", Field: "email",
	Message: "a user with this e-mail already exists in the organisation"}

// NewUser is a person an administrator adds to the desk.
type NewUser struct {
	Email     string
	Name      string
	Role      model.Role
	Languages []string
	MaxChats  int
}

// UserChange is what an administrator changes on a user; a nil field
// stays as it is.
type UserChange struct {
	Name      *string
	Role      *model.Role
	Languages *[]string
	Active    *bool
	MaxChats  *int
}

// Users lists the organisation's users, inactive ones included, by name.
func (d *Service) Users(ctx context.Context, a *Actor) ([]*model.User, error) {
	if !a.Can(model.PermUsersRead) {
		return nil, errForbidden
	}
	return d.st.Users(ctx, a.OrgID())
}

// User returns one user of the actor's organisation.
func (d *Service) User(ctx context.Context, a *Actor, id int64) (*model.User, error) {
	if !a.Can(model.PermUsersRead) {
		return nil, errForbidden
	}
	return d.st.User(ctx, a.OrgID(), id)
}

// CreateUser adds an active user with a generated password, which it
// returns to be shown once; the user changes it after signing in.
func (d *Service) CreateUser(ctx context.Context, a *Actor, in NewUser) (*model.User, string, error) {
	if !a.Can(model.PermUsersManage) {
		return nil, "", errForbidden
	}
	password := auth.GeneratePassword()
	hash, err := d.hash(password)
	if err != nil {
		return nil, "", err
	}
	langs := in.Languages
	if langs == nil {
		langs = []string{}
	}
	u := &model.User{OrgID: a.OrgID(), Email: in.Email, Name: strings.TrimSpace(in.Name), Role: in.Role, Languages: langs,
		Active: true, MaxChats: in.MaxChats, PasswordHash: hash}
	if err := d.st.CreateUser(ctx, u); err != nil {
		if errors.Is(err, model.ErrDuplicate) {
			return nil, "", errEmailTaken
		}
		return nil, "", err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "user_create", "user", u.ID, "role="+string(u.Role), a.IP)
	return u, password, nil
}

// UpdateUser applies ch to user id. The change and its audit entries
// (role changes and (de)activations with the value before and after) are
// written together, and the organisation always keeps an active
// administrator.
func (d *Service) UpdateUser(ctx context.Context, a *Actor, id int64, ch UserChange) (*model.User, error) {
	if !a.Can(model.PermUsersManage) {
		return nil, errForbidden
	}
	change := func(u *model.User) {
		if ch.Name != nil {
			u.Name = strings.TrimSpace(*ch.Name)
		}
		if ch.Role != nil {
			u.Role = *ch.Role
		}
		if ch.Languages != nil {
			u.Languages = slices.Clone(*ch.Languages)
			if u.Languages == nil {
				u.Languages = []string{}
			}
		}
		if ch.Active != nil {
			u.Active = *ch.Active
		}
		if ch.MaxChats != nil {
			u.MaxChats = *ch.MaxChats
		}
	}
	audit := func(before, after *model.User) []*model.AuditEntry {
		entry := func(action, detail string) *model.AuditEntry {
			return &model.AuditEntry{ActorID: a.User.ID, Action: action, TargetType: "user", TargetID: id, Detail: detail, IP: a.IP}
		}
		var out []*model.AuditEntry
		if before.Role != after.Role {
			out = append(out, entry("role_change", fmt.Sprintf("role: %s → %s", before.Role, after.Role)))
		}
		if before.Active != after.Active {
			action := "user_deactivate"
			if after.Active {
				action = "user_activate"
			}
			out = append(out, entry(action, fmt.Sprintf("active: %t → %t", before.Active, after.Active)))
		}
		var other []string
		if before.Name != after.Name {
			other = append(other, fmt.Sprintf("name: %s → %s", before.Name, after.Name))
		}
		if !slices.Equal(before.Languages, after.Languages) {
			other = append(other, fmt.Sprintf("languages: %s → %s", strings.Join(before.Languages, ","), strings.Join(after.Languages, ",")))
		}
		if before.MaxChats != after.MaxChats {
			other = append(other, fmt.Sprintf("max_chats: %d → %d", before.MaxChats, after.MaxChats))
		}
		if len(other) > 0 {
			out = append(out, entry("user_update", strings.Join(other, "; ")))
		}
		return out
	}
	// An inactive user's sessions and tokens stop working at once: both
	// lookups join the user and ask for an active one.
	return d.st.ChangeUser(ctx, a.OrgID(), id, change, audit)
}

// ResetPassword gives user id a new generated password, returned to be
// shown once, and ends every session of theirs.
func (d *Service) ResetPassword(ctx context.Context, a *Actor, id int64) (string, error) {
	if !a.Can(model.PermUsersManage) {
		return "", errForbidden
	}
	password := auth.GeneratePassword()
	hash, err := d.hash(password)
	if err != nil {
		return "", err
	}
	if err := d.st.SetPassword(ctx, a.OrgID(), id, hash, ""); err != nil {
		return "", err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "password_reset", "user", id, "", a.IP)
	return password, nil
}

// hash hashes a password within the bound on concurrent argon2id work.
func (d *Service) hash(password string) (string, error) {
	d.hashSlots <- struct{}{}
	defer func() { <-d.hashSlots }()
	return auth.HashPassword(password, d.pwParams)
}
