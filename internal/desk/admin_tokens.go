package desk

import (
	"context"
	"strconv"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

var errTokenUserInactive = &model.Error{Code: model.CodeInvalid, Key: "error.token.user_inactive", Field: "user_id",
	Message: "this user is deactivated: a token of theirs would not work"}

// APITokens lists the organisation's API tokens, revoked ones included,
// newest first. Their secrets are never stored.
func (d *Service) APITokens(ctx context.Context, a *Actor) ([]*model.APIToken, error) {
	if !a.Can(model.PermTokensManage) {
		return nil, errForbidden
	}
	return d.st.APITokens(ctx, a.OrgID())
}

// IssueAPIToken creates a token acting as user userID (0: the actor) and
// returns its secret, to be shown once.
func (d *Service) IssueAPIToken(ctx context.Context, a *Actor, userID int64, name string) (string, *model.APIToken, error) {
	if !a.Can(model.PermTokensManage) {
		return "", nil, errForbidden
	}
	if userID == 0 {
		userID = a.User.ID
	}
	u, err := d.st.User(ctx, a.OrgID(), userID)
	if model.ErrorIs(err, model.CodeNotFound) {
		return "", nil, model.Invalid("user_id", "error.validation.user", "no such user in this organisation", map[string]any{"Value": userID})
	}
	if err != nil {
		return "", nil, err
	}
	if !u.Active {
		return "", nil, errTokenUserInactive
	}
	return d.issueToken(ctx, a.OrgID(), userID, a.User.ID, name, a.IP)
}

// issueToken makes, stores and audits a token; actorID is 0 for the
// command line.
func (d *Service) issueToken(ctx context.Context, orgID, userID, actorID int64, name, ip string) (string, *model.APIToken, error) {
	secret, hash, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		return "", nil, err
	}
	t := &model.APIToken{OrgID: orgID, UserID: userID, Name: name, Prefix: auth.DisplayPrefix(secret), Hash: hash}
	if err := d.st.CreateAPIToken(ctx, t); err != nil {
		return "", nil, err
	}
	d.audit(ctx, orgID, actorID, "token_create", "api_token", t.ID, name+"; user="+strconv.FormatInt(userID, 10), ip)
	return secret, t, nil
}

// RevokeAPIToken stops a token from working and answers it as it is now.
// Revoking a revoked token changes nothing and is not audited again.
func (d *Service) RevokeAPIToken(ctx context.Context, a *Actor, id int64) (*model.APIToken, error) {
	if !a.Can(model.PermTokensManage) {
		return nil, errForbidden
	}
	t, err := d.st.APIToken(ctx, a.OrgID(), id)
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	if err := d.st.RevokeAPIToken(ctx, a.OrgID(), id); err != nil {
		return nil, err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "token_revoke", "api_token", id, t.Name, a.IP)
	return d.st.APIToken(ctx, a.OrgID(), id)
}

// AuditLog returns a page of the organisation's audit log, newest first.
func (d *Service) AuditLog(ctx context.Context, a *Actor, f store.AuditFilter) ([]*model.AuditEntry, error) {
	if !a.Can(model.PermAuditRead) {
		return nil, errForbidden
	}
	return d.st.AuditEntries(ctx, a.OrgID(), f)
}
