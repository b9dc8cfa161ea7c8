package model_test

import (
	"errors"
	"testing"

	"github.com/sportello/sportello/internal/model"
)

func TestNormalizeIdentity(t *testing.T) {
	tests := []struct {
		in   model.Identity
		want string
		ok   bool
	}{
		{model.Identity{Kind: model.IdentityPhone, Value: "+39 333 123-4567"}, "+393331234567", true},
		{model.Identity{Kind: model.IdentityPhone, Value: "0039 (333) 1234567"}, "+393331234567", true},
		{model.Identity{Kind: model.IdentityPhone, Value: "3331234567"}, "", false}, // no country code
		{model.Identity{Kind: model.IdentityPhone, Value: "+0123456789"}, "", false},
		{model.Identity{Kind: model.IdentityEmail, Value: " Anna.Rossi@Example.ORG "}, "anna.rossi@example.org", true},
		{model.Identity{Kind: model.IdentityEmail, Value: "Anna <anna@example.org>"}, "", false},
		{model.Identity{Kind: model.IdentityWeb, Value: "visitor-1"}, "visitor-1", true},
		{model.Identity{Kind: model.IdentityWeb, Value: ""}, "", false},
		{model.Identity{Kind: "fax", Value: "1"}, "", false},
	}
	for _, tt := range tests {
		got, err := model.NormalizeIdentity(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("NormalizeIdentity(%v): error %v, want ok %v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && got.Value != tt.want {
			t.Errorf("NormalizeIdentity(%v) = %q, want %q", tt.in, got.Value, tt.want)
		}
		if !tt.ok && model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("NormalizeIdentity(%v): code %s, want invalid", tt.in, model.ErrorCode(err))
		}
	}
}

func TestNormalizeLanguages(t *testing.T) {
	got, err := model.NormalizeLanguages("languages", []string{"IT", " ar", "fr-CA", "it", "", "pcm"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"it", "ar", "fr-CA", "pcm"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got, want)
		}
	}
	for _, bad := range []string{"italian", "i", "it_IT", "<script>"} {
		if _, err := model.NormalizeLanguages("languages", []string{bad}); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("NormalizeLanguages(%q): got %v, want invalid", bad, err)
		}
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		s        string
		required bool
		ok       bool
	}{
		{"ciao", true, true},
		{"", false, true},
		{"  ", true, false},
		{"مرحبا", true, true},
		{"abcdef", false, false}, // over 5 runes
		{"a\x00b", false, false},
		{"\xff", false, false},
	}
	for _, tt := range tests {
		err := model.CheckText("body", tt.s, tt.required, 5)
		if (err == nil) != tt.ok {
			t.Errorf("CheckText(%q, %v): %v, want ok %v", tt.s, tt.required, err, tt.ok)
		}
		if err != nil {
			e, _ := model.AsError(err)
			if e.Field != "body" || e.Key == "" {
				t.Errorf("CheckText(%q): error without field or key: %+v", tt.s, e)
			}
		}
	}
}

func TestPermissionMatrix(t *testing.T) {
	for _, p := range model.AllPermissions {
		if !model.RoleAdmin.Can(p) {
			t.Errorf("admin cannot %s", p)
		}
	}
	cannot := map[model.Role][]model.Permission{
		model.RoleCoordinator: {model.PermUsersManage, model.PermSettingsManage},
		model.RoleOperator:    {model.PermConversationsReadAll, model.PermConversationsRestricted, model.PermAuditRead, model.PermDataExport},
		model.RoleMediator:    {model.PermConversationsAssign, model.PermContactsWrite, model.PermConversationsReadAll},
		model.RoleVolunteer:   {model.PermConversationsReadTeam, model.PermContactsRead, model.PermUsersRead, model.PermConversationsUpdate},
	}
	for r, perms := range cannot {
		for _, p := range perms {
			if r.Can(p) {
				t.Errorf("%s can %s", r, p)
			}
		}
	}
	if model.Role("boss").Valid() || model.Role("boss").Can(model.PermTeamsRead) {
		t.Error("unknown role is valid or holds a permission")
	}
}

func TestErrorsIs(t *testing.T) {
	if !errors.Is(model.NotFound("contact"), model.ErrNotFound) {
		t.Error("NotFound is not ErrNotFound")
	}
	if errors.Is(model.NotFound("contact"), model.ErrDuplicate) {
		t.Error("NotFound is ErrDuplicate")
	}
	wrapped := &model.Error{Code: model.CodeConflict, Key: "error.duplicate", Err: errors.New("unique")}
	if !errors.Is(wrapped, model.ErrDuplicate) {
		t.Error("a duplicate error is not ErrDuplicate")
	}
	if model.ErrorCode(errors.New("boom")) != model.CodeInternal {
		t.Error("a plain error is not internal")
	}
}
