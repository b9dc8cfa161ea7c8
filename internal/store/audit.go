package store

import (
	"context"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Audit records a security-relevant action. CreatedAt is set here unless
// the caller gives it (an import of older entries).
func (s *Store) Audit(ctx context.Context, e *model.AuditEntry) error {
	if err := checkAudit(e); err != nil {
		return err
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.now()
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		return insertAudit(ctx, tx, e)
	})
}

// checkAudit validates what the code chose (action, target type) and
// clips what may come from outside (detail, IP): a typed e-mail address in
// a failed login must not cost the entry.
func checkAudit(e *model.AuditEntry) error {
	if err := model.CheckText("action", e.Action, true, 100); err != nil {
		return err
	}
	if err := model.CheckText("target_type", e.TargetType, false, 50); err != nil {
		return err
	}
	e.Detail, e.IP = clipText(e.Detail, 4000), clipText(e.IP, 64)
	return nil
}

// insertAudit writes e inside tx, so that other aggregates can record an
// action in the same transaction as the change it describes. e must have
// passed checkAudit and have its CreatedAt.
func insertAudit(ctx context.Context, tx q, e *model.AuditEntry) error {
	return tx.row(ctx, `INSERT INTO audit_log (org_id, actor_id, action, target_type, target_id, detail, ip, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.OrgID, nullID(e.ActorID), e.Action, e.TargetType, nullID(e.TargetID), e.Detail, e.IP, ms(e.CreatedAt)).Scan(&e.ID)
}

// Page sizes of the audit log: the default, and the most one call returns.
const (
	defaultAuditPage = 50
	maxAuditPage     = 500
)

// AuditLog returns up to limit entries of the organisation, newest first
// (limit <= 0 means 50; at most 500). beforeID pages on: pass the id of the
// last entry of the previous page, or 0 for the first page.
func (s *Store) AuditLog(ctx context.Context, orgID int64, limit int, beforeID int64) ([]*model.AuditEntry, error) {
	return s.AuditEntries(ctx, orgID, AuditFilter{Limit: limit, BeforeID: beforeID})
}
