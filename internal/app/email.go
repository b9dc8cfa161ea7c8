package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/model"
)

// cmdEmail works on e-mail channels:
//
//	sportello email import --channel ID FILE.eml …
//
// processes raw messages exactly as if they had been fetched from the
// channel's mailbox (migrating an old mailbox): each becomes or joins a
// conversation, or updates one of our messages (a PEC receipt, a
// bounce). A file imported twice stores nothing new. One JSON line per
// file says what happened.
func cmdEmail(ctx context.Context, e env) error {
	_, e, err := sub(e, "email", "import")
	if err != nil {
		return err
	}
	fs, cfg := flags("email import", e, false)
	channelID := fs.Int64("channel", 0, "the e-mail channel's id (sportello channel list)")
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrUsage
		}
		return ErrUsage
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if *channelID == 0 || fs.NArg() == 0 {
		fmt.Fprintln(e.stderr, "usage: sportello email import --channel ID FILE.eml …")
		return ErrUsage
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// The command line has no organisation: the channel names it.
	c, err := st.ChannelByID(ctx, *channelID)
	if err != nil || c.Kind != model.ChannelEmail {
		return fmt.Errorf("--channel: no e-mail channel %d", *channelID)
	}
	attachments, err := files.New(filepath.Join(cfg.DataDir, "attachments"), files.Limits{})
	if err != nil {
		return err
	}
	defer attachments.Close()
	d, err := desk.New(st, cfg.Logger(e.stderr), desk.Options{Files: attachments, BaseURL: cfg.BaseURL})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	for _, name := range fs.Args() {
		raw, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		res, err := d.ReceiveEmail(ctx, c, raw)
		if err != nil {
			return fmt.Errorf("%s: %w", name, describe(err))
		}
		if err := enc.Encode(map[string]any{"file": name, "kind": res.Kind, "conversation_id": res.ConversationID,
			"message_id": res.MessageID, "duplicate": res.Duplicate, "new_conversation": res.NewConversation}); err != nil {
			return err
		}
	}
	return nil
}
