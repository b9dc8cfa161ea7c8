package desk

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// Secret settings of the channel kinds that ask for it (e-mail passwords
// and tokens) are sealed at rest: AES-256-GCM with a key kept in the
// store's secrets table, bound to the organisation, the kind and the
// setting's name, so that a sealed value copied elsewhere does not open.
// A database dump alone does not give a mailbox's password away to
// someone reading a settings column, a log or an export.

// sealedPrefix marks a sealed value.
const sealedPrefix = "sealed:v1:"

// settingsKeyName is the store secret the seal's key is.
const settingsKeyName = "channel_settings_key"

// settingsAEAD returns the cipher of sealed settings, made once.
func (d *Service) settingsAEAD(ctx context.Context) (cipher.AEAD, error) {
	d.senders.mu.Lock()
	defer d.senders.mu.Unlock()
	if d.senders.aead != nil {
		return d.senders.aead, nil
	}
	key, err := d.st.Secret(ctx, settingsKeyName, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	d.senders.aead = aead
	return aead, nil
}

func sealLabel(orgID int64, kind model.ChannelKind, name string) []byte {
	return fmt.Appendf(nil, "%d/%s/%s", orgID, kind, name)
}

// sealSettings seals the secret values of s that are not sealed yet.
func (d *Service) sealSettings(ctx context.Context, orgID int64, sp channel.Spec, s channel.Settings) error {
	for _, k := range sp.Keys {
		v := s[k.Name]
		if !k.Secret || v == "" || strings.HasPrefix(v, sealedPrefix) {
			continue
		}
		aead, err := d.settingsAEAD(ctx)
		if err != nil {
			return err
		}
		nonce := make([]byte, aead.NonceSize())
		rand.Read(nonce)
		sealed := aead.Seal(nonce, nonce, []byte(v), sealLabel(orgID, sp.Kind, k.Name))
		s[k.Name] = sealedPrefix + base64.RawStdEncoding.EncodeToString(sealed)
	}
	return nil
}

// openSettings returns channel c's settings with sealed values opened,
// for its provider client; never for pages, logs or the API.
func (d *Service) openSettings(ctx context.Context, c *model.Channel) (channel.Settings, error) {
	s, err := channel.ParseSettings(c.Settings)
	if err != nil {
		return nil, err
	}
	for name, v := range s {
		if !strings.HasPrefix(v, sealedPrefix) {
			continue
		}
		aead, err := d.settingsAEAD(ctx)
		if err != nil {
			return nil, err
		}
		raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(v, sealedPrefix))
		if err != nil || len(raw) < aead.NonceSize() {
			return nil, fmt.Errorf("channel setting %s: damaged", name)
		}
		plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], sealLabel(c.OrgID, c.Kind, name))
		if err != nil {
			return nil, errors.New("channel setting " + name + " cannot be opened: set it again")
		}
		s[name] = string(plain)
	}
	return s, nil
}
