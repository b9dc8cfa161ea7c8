package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/model"
)

var errSlugTaken = &model.Error{Code: model.CodeConflict, Key: "error.team.slug_taken", Field: "slug",
	Message: "another team of the organisation has this short name"}

// maxMembers bounds a team: a desk has tens of people, not thousands.
const maxMembers = 1000

// TeamChange is what a coordinator changes on a team; a nil field stays
// as it is. MemberIDs replaces every member.
type TeamChange struct {
	Name      *string
	MemberIDs *[]int64
}

// CreateTeam adds a team. slug may be empty: one is made from the name.
func (d *Service) CreateTeam(ctx context.Context, a *Actor, name, slug string, memberIDs []int64) (*model.Team, error) {
	if !a.Can(model.PermTeamsManage) {
		return nil, errForbidden
	}
	members, err := checkMembers(memberIDs)
	if err != nil {
		return nil, err
	}
	t := &model.Team{OrgID: a.OrgID(), Name: strings.TrimSpace(name), Slug: strings.TrimSpace(slug), MemberIDs: members}
	if err := model.CheckText("name", t.Name, true, 200); err != nil {
		return nil, err
	}
	if t.Slug == "" {
		if t.Slug, err = d.freeSlug(ctx, a.OrgID(), t.Name); err != nil {
			return nil, err
		}
	}
	if err := d.st.CreateTeam(ctx, t); err != nil {
		if errors.Is(err, model.ErrDuplicate) {
			return nil, errSlugTaken
		}
		return nil, err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "team_create", "team", t.ID, fmt.Sprintf("name: %s; members: %s", t.Name, idList(t.MemberIDs)), a.IP)
	return t, nil
}

// UpdateTeam renames a team or replaces its members.
func (d *Service) UpdateTeam(ctx context.Context, a *Actor, id int64, ch TeamChange) (*model.Team, error) {
	if !a.Can(model.PermTeamsManage) {
		return nil, errForbidden
	}
	t, err := d.st.Team(ctx, a.OrgID(), id)
	if err != nil {
		return nil, err
	}
	before := *t
	if ch.Name != nil {
		t.Name = strings.TrimSpace(*ch.Name)
	}
	if ch.MemberIDs != nil {
		if t.MemberIDs, err = checkMembers(*ch.MemberIDs); err != nil {
			return nil, err
		}
	}
	if err := d.st.UpdateTeam(ctx, t); err != nil {
		return nil, err
	}
	var detail []string
	if before.Name != t.Name {
		detail = append(detail, fmt.Sprintf("name: %s → %s", before.Name, t.Name))
	}
	if !slices.Equal(before.MemberIDs, t.MemberIDs) {
		detail = append(detail, fmt.Sprintf("members: %s → %s", idList(before.MemberIDs), idList(t.MemberIDs)))
	}
	if len(detail) > 0 {
		d.audit(ctx, a.OrgID(), a.User.ID, "team_update", "team", id, strings.Join(detail, "; "), a.IP)
	}
	return d.st.Team(ctx, a.OrgID(), id)
}

// checkMembers sorts and de-duplicates member ids; the store checks that
// each is a user of the organisation.
func checkMembers(ids []int64) ([]int64, error) {
	out := slices.Clone(ids)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > maxMembers {
		return nil, model.Invalid("member_ids", "error.validation.too_many", "too many members",
			map[string]any{"Field": "member_ids", "Limit": maxMembers})
	}
	for _, id := range out {
		if id <= 0 {
			return nil, model.Invalid("member_ids", "error.validation.member", "no such user in this organisation", map[string]any{"Value": id})
		}
	}
	if out == nil {
		out = []int64{}
	}
	return out, nil
}

func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// freeSlug makes a short name for a team from its name, not yet taken in
// the organisation: "Sportello légale" → "sportello-legale", then
// "sportello-legale-2".
func (d *Service) freeSlug(ctx context.Context, orgID int64, name string) (string, error) {
	teams, err := d.st.Teams(ctx, orgID)
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, t := range teams {
		taken[t.Slug] = true
	}
	base := slugify(name)
	if base == "" {
		base = "team"
	}
	slug := base
	for n := 2; taken[slug]; n++ {
		suffix := "-" + strconv.Itoa(n)
		slug = strings.TrimRight(base[:min(len(base), 64-len(suffix))], "-") + suffix
	}
	return slug, nil
}

// folds spells the accented letters of the desks' languages without
// their accents; other letters (Arabic, say) leave no trace in a slug.
var folds = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "ç", "c",
	"è", "e", "é", "e", "ê", "e", "ë", "e", "ì", "i", "í", "i", "î", "i", "ï", "i",
	"ñ", "n", "ò", "o", "ó", "o", "ô", "o", "ö", "o", "õ", "o",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ÿ", "y", "œ", "oe", "æ", "ae", "ß", "ss",
)

// slugify turns a name into a slug: lower-case letters a-z, digits and
// single dashes, at most 64 characters; "" when nothing is left.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range folds.Replace(strings.ToLower(name)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	return strings.TrimRight(b.String()[:min(b.Len(), 64)], "-")
}
