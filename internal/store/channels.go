package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// maxChannelSettings bounds a channel's settings document.
const maxChannelSettings = 64 << 10

func invalidKind(k model.ChannelKind) error {
	return model.Invalid("kind", "error.validation.channel_kind", "unknown channel kind", map[string]any{"Value": string(k)})
}

// checkChannel validates and normalises the editable fields of a channel.
func checkChannel(c *model.Channel) error {
	if err := model.CheckText("name", c.Name, true, 100); err != nil {
		return err
	}
	c.Settings = strings.TrimSpace(c.Settings)
	if c.Settings == "" {
		c.Settings = "{}"
	}
	if len(c.Settings) > maxChannelSettings {
		return model.Invalid("settings", "error.validation.too_long", "settings are too long", map[string]any{"Field": "settings", "Limit": maxChannelSettings})
	}
	// json.Valid alone would take "null", "[]" or "3".
	if c.Settings[0] != '{' || !json.Valid([]byte(c.Settings)) {
		return model.Invalid("settings", "error.validation.settings", "settings must be a JSON object", nil)
	}
	return nil
}

// CreateChannel adds an entry point to c.OrgID. Settings default to "{}".
func (s *Store) CreateChannel(ctx context.Context, c *model.Channel) error {
	if !model.ValidChannelKind(c.Kind) {
		return invalidKind(c.Kind)
	}
	if err := checkChannel(c); err != nil {
		return err
	}
	c.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		return insertChannel(ctx, tx, c)
	})
}

func insertChannel(ctx context.Context, tx q, c *model.Channel) error {
	return tx.row(ctx, `INSERT INTO channels (org_id, kind, name, settings, active, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		c.OrgID, string(c.Kind), c.Name, c.Settings, c.Active, ms(c.CreatedAt)).Scan(&c.ID)
}

const channelColumns = "id, org_id, kind, name, settings, active, created_at, last_inbound_at, last_outbound_at, last_error, last_error_at"

func scanChannel(sc interface{ Scan(...any) error }) (*model.Channel, error) {
	var c model.Channel
	var kind string
	var created int64
	var in, out, errAt nullInt
	if err := sc.Scan(&c.ID, &c.OrgID, &kind, &c.Name, &c.Settings, &c.Active, &created, &in, &out, &c.LastError, &errAt); err != nil {
		return nil, err
	}
	c.Kind, c.CreatedAt = model.ChannelKind(kind), fromMS(created)
	c.LastInboundAt, c.LastOutboundAt, c.LastErrorAt = optMS(in), optMS(out), optMS(errAt)
	return &c, nil
}

// Channel returns one channel of the organisation.
func (s *Store) Channel(ctx context.Context, orgID, id int64) (*model.Channel, error) {
	c, err := scanChannel(s.reader().row(ctx, "SELECT "+channelColumns+" FROM channels WHERE org_id = ? AND id = ?", orgID, id))
	return c, notFound(err, "channel")
}

// ChannelByID returns a channel whatever its organisation. It exists for
// provider webhooks, whose URL carries only the channel id. That is safe
// because the id is not a credential: the webhook handler must verify the
// request's signature with the secret in this channel's Settings before it
// trusts the payload, and from then on it uses the returned OrgID to scope
// everything it does. Never use it where an organisation is known.
func (s *Store) ChannelByID(ctx context.Context, id int64) (*model.Channel, error) {
	c, err := scanChannel(s.reader().row(ctx, "SELECT "+channelColumns+" FROM channels WHERE id = ?", id))
	return c, notFound(err, "channel")
}

// Channels lists the organisation's channels by name.
func (s *Store) Channels(ctx context.Context, orgID int64) ([]*model.Channel, error) {
	rows, err := s.reader().query(ctx, "SELECT "+channelColumns+" FROM channels WHERE org_id = ? ORDER BY name, id", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*model.Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateChannel saves name, settings and active. The kind never changes,
// since conversations depend on it: c.Kind and c.CreatedAt are refreshed
// from the stored row.
func (s *Store) UpdateChannel(ctx context.Context, c *model.Channel) error {
	if err := checkChannel(c); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx q) error {
		var kind string
		var created int64
		err := tx.row(ctx, "UPDATE channels SET name = ?, settings = ?, active = ? WHERE org_id = ? AND id = ? RETURNING kind, created_at",
			c.Name, c.Settings, c.Active, c.OrgID, c.ID).Scan(&kind, &created)
		if err != nil {
			return notFound(err, "channel")
		}
		c.Kind, c.CreatedAt = model.ChannelKind(kind), fromMS(created)
		return nil
	})
}

const defaultChannelQuery = "SELECT " + channelColumns + " FROM channels WHERE org_id = ? AND kind = ? AND active = TRUE ORDER BY id LIMIT 1"

// FirstChannel returns the organisation's first active channel of kind,
// or not found.
func (s *Store) FirstChannel(ctx context.Context, orgID int64, kind model.ChannelKind) (*model.Channel, error) {
	c, err := scanChannel(s.reader().row(ctx, defaultChannelQuery, orgID, string(kind)))
	return c, notFound(err, "channel")
}

// DefaultChannel returns the organisation's first active channel of kind,
// creating one named after the kind when there is none: the web chat and
// the demo need a channel before anyone has configured one.
func (s *Store) DefaultChannel(ctx context.Context, orgID int64, kind model.ChannelKind) (*model.Channel, error) {
	if !model.ValidChannelKind(kind) {
		return nil, invalidKind(kind)
	}
	c, err := scanChannel(s.reader().row(ctx, defaultChannelQuery, orgID, string(kind)))
	if !errors.Is(err, sql.ErrNoRows) {
		return c, err
	}
	err = s.inTx(ctx, func(tx q) error {
		// Touching the organisation's row locks it on PostgreSQL, so two
		// requests racing here create one channel, not two (SQLite has a
		// single writer anyway). It also tells a missing organisation.
		if err := mustAffect(tx.exec(ctx, "UPDATE organizations SET id = id WHERE id = ?", orgID))("organization"); err != nil {
			return err
		}
		found, err := scanChannel(tx.row(ctx, defaultChannelQuery, orgID, string(kind)))
		if err == nil {
			c = found
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c = &model.Channel{OrgID: orgID, Kind: kind, Name: string(kind), Settings: "{}", Active: true,
			CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
		return insertChannel(ctx, tx, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// NoteChannelInbound records when channels last received a message. The
// desk calls it in batches (not once per message: that would make every
// inbound message write the same row); times only move forward.
func (s *Store) NoteChannelInbound(ctx context.Context, last map[int64]time.Time) error {
	if len(last) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx q) error {
		for id, at := range last {
			if _, err := tx.exec(ctx, "UPDATE channels SET last_inbound_at = ? WHERE id = ? AND (last_inbound_at IS NULL OR last_inbound_at < ?)",
				ms(at), id, ms(at)); err != nil {
				return err
			}
		}
		return nil
	})
}

// NoteChannelOutbound records a successful send through a channel.
func (s *Store) NoteChannelOutbound(ctx context.Context, id int64, at time.Time) error {
	return s.inTx(ctx, func(tx q) error {
		_, err := tx.exec(ctx, "UPDATE channels SET last_outbound_at = ? WHERE id = ? AND (last_outbound_at IS NULL OR last_outbound_at < ?)",
			ms(at), id, ms(at))
		return err
	})
}

// NoteChannelError records the latest problem of a channel (a provider's
// refusal, wrong credentials), for its health.
func (s *Store) NoteChannelError(ctx context.Context, id int64, errText string) error {
	now := s.now().UTC()
	return s.inTx(ctx, func(tx q) error {
		_, err := tx.exec(ctx, "UPDATE channels SET last_error = ?, last_error_at = ? WHERE id = ?", clipText(errText, 500), ms(now), id)
		return err
	})
}

// ChannelsHealth lists the organisation's channels with their queued and
// failed replies counted.
func (s *Store) ChannelsHealth(ctx context.Context, orgID int64) ([]*model.Channel, error) {
	cs, err := s.Channels(ctx, orgID)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*model.Channel, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	rows, err := s.reader().query(ctx, `SELECT channel_id, delivery_status, COUNT(*) FROM messages
		WHERE org_id = ? AND delivery_status IN ('queued', 'failed') GROUP BY channel_id, delivery_status`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st string
		var n int
		if err := rows.Scan(&id, &st, &n); err != nil {
			return nil, err
		}
		if c := byID[id]; c != nil {
			if st == string(model.DeliveryQueued) {
				c.Queued = n
			} else {
				c.Failed = n
			}
		}
	}
	return cs, rows.Err()
}
