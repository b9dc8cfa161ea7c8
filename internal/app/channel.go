package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/config"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// setFlags collects repeated --set key=value flags.
type setFlags channel.Settings

func (s setFlags) String() string { return "" }

func (s setFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("%q is not key=value", v)
	}
	s[strings.TrimSpace(k)] = val
	return nil
}

// cmdChannel configures channels:
//
//	sportello channel add KIND --org SLUG --name NAME [--set key=value …] [--base-url URL] [--register]
//	sportello channel list --org SLUG [--base-url URL]
//	sportello channel register --org SLUG --id ID [--base-url URL]
//
// add prints the new channel as JSON: its id and the webhook URL(s) to
// give the provider (under --base-url, the desk's public URL). Secrets
// are never printed. --register (or the register verb, for a channel
// that exists) gives the webhook to a provider that takes it by API
// (Telegram's setWebhook, with the channel's secret token).
func cmdChannel(ctx context.Context, e env) error {
	verb, e, err := sub(e, "channel", "add", "list", "register")
	if err != nil {
		return err
	}
	var kind string
	if verb == "add" {
		if len(e.args) == 0 || strings.HasPrefix(e.args[0], "-") {
			fmt.Fprintf(e.stderr, "usage: sportello channel add KIND --org SLUG --name NAME [--set key=value …]\nkinds: %s\n", kindList())
			return ErrUsage
		}
		kind, e.args = e.args[0], e.args[1:]
	}
	fs, cfg := flags("channel "+verb, e, false)
	org := fs.String("org", "", "organisation slug")
	name := fs.String("name", "", "a name operators recognise the channel by")
	fs.StringVar(&cfg.BaseURL, "base-url", e.getenv("SPORTELLO_BASE_URL"), "the desk's public URL, for webhook addresses (SPORTELLO_BASE_URL)")
	settings := setFlags{}
	var register bool
	if verb == "add" {
		fs.Var(settings, "set", "a setting key=value (repeatable), e.g. --set bot_token=…")
		fs.BoolVar(&register, "register", false, "give the webhook URL to the provider (Telegram: setWebhook)")
	}
	var id int64
	if verb == "register" {
		fs.Int64Var(&id, "id", 0, "the channel's id (from channel list)")
	}
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "org", *org); err != nil {
		return err
	}
	if verb == "add" {
		if err := required(fs, e.stderr, "name", *name); err != nil {
			return err
		}
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := desk.New(st, cfg.Logger(e.stderr), desk.Options{BaseURL: cfg.BaseURL})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if verb == "list" {
		cs, err := d.ChannelsOf(ctx, o.ID)
		if err != nil {
			return err
		}
		return enc.Encode(cs)
	}
	if verb == "register" {
		c, err := st.Channel(ctx, o.ID, id)
		if err != nil {
			return fmt.Errorf("--id: no channel %d in %q", id, *org)
		}
		hook, err := d.RegisterWebhook(ctx, c)
		if err != nil {
			return err
		}
		return enc.Encode(registered{ChannelView: d.ViewChannel(c), Registered: hook})
	}
	if !model.ValidChannelKind(model.ChannelKind(kind)) {
		return fmt.Errorf("unknown channel kind %q: one of %s", kind, kindList())
	}
	c, err := d.AddChannel(ctx, o.ID, model.ChannelKind(kind), *name, channel.Settings(settings))
	if err != nil {
		return describe(err)
	}
	out := registered{ChannelView: d.ViewChannel(c)}
	if register {
		if out.Registered, err = d.RegisterWebhook(ctx, c); err != nil {
			return fmt.Errorf("channel %d was added, but registering its webhook failed: %w\n"+
				"once fixed, run: sportello channel register --org %s --id %d", c.ID, err, *org, c.ID)
		}
	}
	return enc.Encode(out)
}

// registered is a channel as add and register print it, with the
// webhook URL given to the provider, if any.
type registered struct {
	desk.ChannelView
	Registered string `json:"registered_webhook,omitempty"`
}

func kindList() string {
	var ks []string
	for _, k := range desk.ChannelKinds() {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// openOrg opens the store and finds the organisation of --org.
func openOrg(ctx context.Context, cfg *config.Config, slug string) (*store.Store, *model.Organization, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	o, err := st.OrganizationBySlug(ctx, slug)
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("--org: no organisation %q", slug)
	}
	return st, o, nil
}
