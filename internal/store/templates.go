package store

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Template is a message template the provider approved for a channel
// (WhatsApp): outside the 24-hour window only these may be sent. Its
// body holds {{1}}, {{2}}… placeholders, Params of them, filled in order
// when it is sent.
type Template struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	ChannelID int64     `json:"channel_id"`
	Name      string    `json:"name"`     // as approved by the provider
	Language  string    `json:"language"` // the provider's code: it, en_US…
	Body      string    `json:"body"`
	Params    int       `json:"params"`
	CreatedAt time.Time `json:"created_at"`
}

// Limits of a template.
const (
	TemplateNameMax  = 512
	TemplateBodyMax  = 1024
	TemplateParamMax = 1024 // characters of one parameter
)

var (
	templateNameRE = regexp.MustCompile(`^[a-z0-9_]+$`)
	templateLangRE = regexp.MustCompile(`^[a-z]{2,3}(_[A-Z]{2})?$`)
	// TemplatePlaceholder matches {{1}}, {{2}}… in a template's body.
	TemplatePlaceholder = regexp.MustCompile(`\{\{\s*([0-9]+)\s*\}\}`)
)

// validateTemplate checks a template and counts its parameters: the
// placeholders must be {{1}} to {{n}}, none missing.
func validateTemplate(t *Template) error {
	t.Name, t.Language = strings.TrimSpace(t.Name), strings.TrimSpace(t.Language)
	if err := model.CheckText("name", t.Name, true, TemplateNameMax); err != nil {
		return err
	}
	if !templateNameRE.MatchString(t.Name) {
		return model.Invalid("name", "template.error_name", "a template name has lowercase letters, digits and underscores, as approved", nil)
	}
	if !templateLangRE.MatchString(t.Language) {
		return model.Invalid("language", "template.error_language", "the language is the provider's code, like it or en_US", nil)
	}
	if err := model.CheckText("body", t.Body, true, TemplateBodyMax); err != nil {
		return err
	}
	seen := map[int]bool{}
	for _, m := range TemplatePlaceholder.FindAllStringSubmatch(t.Body, -1) {
		n, _ := strconv.Atoi(m[1])
		seen[n] = true
	}
	t.Params = len(seen)
	for i := 1; i <= t.Params; i++ {
		if !seen[i] {
			return model.Invalid("body", "template.error_placeholders", "placeholders must be numbered {{1}}, {{2}}… without gaps", map[string]any{"Value": "{{1}}, {{2}}…"})
		}
	}
	return nil
}

// FillTemplate returns body with {{n}} replaced by params[n-1]; a
// placeholder without its parameter is left as written.
func FillTemplate(body string, params []string) string {
	return TemplatePlaceholder.ReplaceAllStringFunc(body, func(m string) string {
		n, _ := strconv.Atoi(TemplatePlaceholder.FindStringSubmatch(m)[1])
		if n >= 1 && n <= len(params) {
			return params[n-1]
		}
		return m
	})
}

// CreateTemplate adds a template to a channel of t.OrgID. A second one
// with the same name and language on the channel is a conflict.
func (s *Store) CreateTemplate(ctx context.Context, t *Template) error {
	if err := validateTemplate(t); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	t.CreatedAt = now
	return s.inTx(ctx, func(tx q) error {
		if err := mustExist(ctx, tx, "channels", t.OrgID, t.ChannelID, "channel_id"); err != nil {
			return err
		}
		return mapError(tx.row(ctx, `INSERT INTO channel_templates (org_id, channel_id, name, language, body, params, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.OrgID, t.ChannelID, t.Name, t.Language, t.Body, t.Params, ms(now)).Scan(&t.ID))
	})
}

// DeleteTemplate removes a template of the organisation.
func (s *Store) DeleteTemplate(ctx context.Context, orgID, id int64) error {
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "DELETE FROM channel_templates WHERE org_id = ? AND id = ?", orgID, id)
		return mustAffect(res, err)("template")
	})
}

const templateColumns = "id, org_id, channel_id, name, language, body, params, created_at"

func scanTemplate(sc interface{ Scan(...any) error }) (*Template, error) {
	var t Template
	var created int64
	if err := sc.Scan(&t.ID, &t.OrgID, &t.ChannelID, &t.Name, &t.Language, &t.Body, &t.Params, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMS(created)
	return &t, nil
}

// Template returns one template of the organisation.
func (s *Store) Template(ctx context.Context, orgID, id int64) (*Template, error) {
	t, err := scanTemplate(s.reader().row(ctx, "SELECT "+templateColumns+" FROM channel_templates WHERE org_id = ? AND id = ?", orgID, id))
	return t, notFound(err, "template")
}

// Templates lists the templates of one channel of the organisation (all
// its channels' when channelID is 0), by name and language.
func (s *Store) Templates(ctx context.Context, orgID, channelID int64) ([]*Template, error) {
	query := "SELECT " + templateColumns + " FROM channel_templates WHERE org_id = ?"
	args := []any{orgID}
	if channelID != 0 {
		query += " AND channel_id = ?"
		args = append(args, channelID)
	}
	rows, err := s.reader().query(ctx, query+" ORDER BY channel_id, name, language, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Template{}
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
