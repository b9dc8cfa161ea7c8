package desk

import (
	"context"
	"strconv"

	"github.com/sportello/sportello/internal/model"
)

// MergeContacts folds contact dupID into keepID: the duplicate's
// addresses, conversations and consents move to the contact kept, and
// the duplicate stays only as a pointer to it. Answers the contact kept.
func (d *Service) MergeContacts(ctx context.Context, a *Actor, keepID, dupID int64) (*model.Contact, error) {
	if !a.Can(model.PermContactsMerge) {
		return nil, errForbidden
	}
	if keepID == dupID {
		return nil, model.Invalid("duplicate_id", "error.contact.merge_self", "a contact cannot be merged into itself", nil)
	}
	if err := d.st.MergeContacts(ctx, a.OrgID(), keepID, dupID); err != nil {
		return nil, err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "contact_merge", "contact", keepID, "duplicate="+strconv.FormatInt(dupID, 10), a.IP)
	return d.st.Contact(ctx, a.OrgID(), keepID)
}
