package console

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// The channels pages: every entry point of the desk with its health, for
// coordinators; adding and configuring them (their secrets), for admins.

const channelsURL = "/admin/channels"

func channelURL(id int64) string { return channelsURL + "/" + strconv.FormatInt(id, 10) }

type channelRow struct {
	Name, Kind             string
	Active                 bool
	LastIn, LastOut        string
	LastError, LastErrorAt string
	Queued, Failed         int
	EditURL                string
	Problem                bool
}

type channelsPage struct {
	*page
	Rows      []channelRow
	CanManage bool
	Kinds     []option
}

// channelsList shows the channels with their health.
func (c *Console) channelsList(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	pg := c.newPage(r, channelsURL, "channels.title")
	pg.Nav = "channels"
	p := pg.p
	if r.URL.Query().Get("ok") == "saved" {
		pg.Notice = p.T("channels.saved", nil)
	}
	cs, err := c.desk.Channels(r.Context(), a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	loc := c.orgLocation(r, a.OrgID())
	data := channelsPage{page: pg, CanManage: a.Can(model.PermChannelsManage)}
	when := func(t *time.Time) string {
		if t == nil {
			return p.T("channels.never", nil)
		}
		return p.FormatDateTime(*t, loc)
	}
	for _, ch := range cs {
		row := channelRow{Name: ch.Name, Kind: kindLabel(p, ch.Kind), Active: ch.Active, LastIn: when(ch.LastInboundAt),
			LastOut: when(ch.LastOutboundAt), LastError: ch.LastError, Queued: ch.Queued, Failed: ch.Failed, EditURL: channelURL(ch.ID)}
		if ch.LastErrorAt != nil {
			row.LastErrorAt = when(ch.LastErrorAt)
		}
		row.Problem = ch.Failed > 0 || ch.LastError != "" && (ch.LastOutboundAt == nil || ch.LastErrorAt != nil && ch.LastErrorAt.After(*ch.LastOutboundAt))
		data.Rows = append(data.Rows, row)
	}
	for _, k := range desk.ChannelKinds() {
		if k != model.ChannelWeb {
			data.Kinds = append(data.Kinds, option{Value: string(k), Label: kindLabel(p, k)})
		}
	}
	c.render(w, r, http.StatusOK, "channels", pg, data)
}

func kindLabel(p *locale.Printer, k model.ChannelKind) string {
	return labelOr(p, "channel."+string(k), string(k))
}

// settingField is one setting of the channel form.
type settingField struct {
	Name, Value, Hint string
	Secret, Set       bool // a secret, and whether one is stored
	Required          bool
	Choices           []option
}

type channelFormPage struct {
	*page
	Action, Kind, KindLabel string
	New, Active             bool
	Name                    string
	Fields                  []settingField
	Webhooks                []link
	Errors                  map[string]string
	Health                  *channelRow
}

// channelNew shows the form for a new channel of ?kind=.
func (c *Console) channelNew(w http.ResponseWriter, r *http.Request) {
	kind := model.ChannelKind(r.URL.Query().Get("kind"))
	if _, ok := desk.ChannelSpec(kind); !ok {
		c.fail(w, r, model.Invalid("kind", "error.validation.channel_kind", "unknown channel kind", map[string]any{"Value": string(kind)}))
		return
	}
	c.renderChannelForm(w, r, http.StatusOK, desk.ChannelView{Channel: &model.Channel{Kind: kind, Active: true}, Settings: channel.Settings{}}, nil)
}

// channelEdit shows a channel's settings, webhooks and health.
func (c *Console) channelEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	v, err := c.desk.Channel(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderChannelForm(w, r, http.StatusOK, v, nil)
}

func (c *Console) renderChannelForm(w http.ResponseWriter, r *http.Request, status int, v desk.ChannelView, errs map[string]string) {
	spec, _ := desk.ChannelSpec(v.Kind)
	title := "channels.new"
	if v.ID != 0 {
		title = "channels.edit"
	}
	pg := c.newPage(r, selfURL(r), title)
	pg.Nav = "channels"
	p := pg.p
	if len(errs) > 0 {
		pg.failed()
	}
	switch r.URL.Query().Get("ok") {
	case "created":
		pg.Notice = p.T("channels.created", nil)
	case "saved":
		pg.Notice = p.T("channels.saved", nil)
	}
	data := channelFormPage{page: pg, Kind: string(v.Kind), KindLabel: kindLabel(p, v.Kind), New: v.ID == 0, Active: v.Active,
		Name: v.Name, Errors: errs, Action: channelsURL}
	if v.ID != 0 {
		data.Action = channelURL(v.ID)
	}
	for _, k := range spec.Keys {
		f := settingField{Name: k.Name, Secret: k.Secret, Required: k.Required, Hint: labelOr(p, "channels.key_"+k.Name, "")}
		if k.Secret {
			f.Set = v.Settings[k.Name] != ""
		} else {
			f.Value = v.Settings[k.Name]
		}
		for _, ch := range k.Choices {
			f.Choices = append(f.Choices, option{Value: ch, Label: ch, Selected: ch == v.Settings.Get(k.Name, k.Default)})
		}
		data.Fields = append(data.Fields, f)
	}
	for _, purpose := range slices.Sorted(maps.Keys(v.Webhooks)) {
		data.Webhooks = append(data.Webhooks, link{Label: purpose, URL: v.Webhooks[purpose]})
	}
	c.render(w, r, status, "channel_form", pg, data)
}

// readChannelForm reads name, active and the kind's settings. A secret
// left empty keeps the stored one.
func readChannelForm(r *http.Request, kind model.ChannelKind) (string, bool, channel.Settings) {
	spec, _ := desk.ChannelSpec(kind)
	s := channel.Settings{}
	for _, k := range spec.Keys {
		v := strings.TrimSpace(r.PostForm.Get("set_" + k.Name))
		if k.Secret && v == "" {
			v = channel.Masked
		}
		if v != "" {
			s[k.Name] = v
		}
	}
	return strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("active") == "yes", s
}

// channelCreate adds a channel and shows it with its webhook URLs.
func (c *Console) channelCreate(w http.ResponseWriter, r *http.Request) {
	kind := model.ChannelKind(r.PostForm.Get("kind"))
	name, _, s := readChannelForm(r, kind)
	for k, v := range s {
		if v == channel.Masked {
			delete(s, k) // nothing stored yet to keep
		}
	}
	v, err := c.desk.CreateChannel(r.Context(), web.ActorFrom(r), kind, name, s)
	if err != nil {
		c.channelFormError(w, r, desk.ChannelView{Channel: &model.Channel{Kind: kind, Name: name, Active: true}, Settings: s}, err)
		return
	}
	http.Redirect(w, r, channelURL(v.ID)+"?ok=created", http.StatusSeeOther)
}

// channelUpdate saves a channel's name, settings and active flag.
func (c *Console) channelUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	cur, err := c.desk.Channel(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	name, active, s := readChannelForm(r, cur.Kind)
	v, err := c.desk.UpdateChannel(r.Context(), a, id, name, s, active)
	if err != nil {
		cur.Name, cur.Active = name, active
		for k, val := range s {
			if val != channel.Masked {
				cur.Settings[k] = val
			}
		}
		c.channelFormError(w, r, cur, err)
		return
	}
	http.Redirect(w, r, channelURL(v.ID)+"?ok=saved", http.StatusSeeOther)
}

func (c *Console) channelFormError(w http.ResponseWriter, r *http.Request, v desk.ChannelView, err error) {
	switch model.ErrorCode(err) {
	case model.CodeInvalid, model.CodeConflict:
		c.renderChannelForm(w, r, web.Status(err), v, map[string]string{formField(err, "name", "settings", "kind"): errorText(c.printer(r), err)})
	default:
		c.fail(w, r, err)
	}
}
