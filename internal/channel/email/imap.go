package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/sportello/sportello/internal/channel"
)

// State is how far reading a mailbox got: the folder's UIDVALIDITY and
// the last UID handled. Both persist, so a restart resumes exactly there.
type State struct {
	UIDValidity uint32
	LastUID     uint32
}

// Reader reads a mailbox over IMAP.
type Reader struct {
	s      channel.Settings
	tls    *tls.Config
	tokens *tokens
	Poll   time.Duration // without IDLE, how often to look; 0: a minute
	// MaxMessage bounds what is fetched of one message; beyond, only its
	// first MaxMessage bytes are (headers, text, the first files). 0: 50 MiB.
	MaxMessage int64
}

// NewReader returns a reader for a channel's settings; TLS roots as for New.
func NewReader(s channel.Settings, hc *http.Client) *Reader {
	return &Reader{s: s, tls: TLSConfig(hc), tokens: newTokens(s, hc)}
}

// Handler takes one message and returns once it is stored; the state
// passed is the one to save after it. size is the message's size on the
// server: more than len(raw) when it was cut at MaxMessage.
type Handler func(ctx context.Context, raw []byte, size int64, next State) error

// Run logs in and hands every message above st.LastUID to handle, in
// UID order, then waits for new mail (IDLE where the server has it,
// polling otherwise) and does it again, until ctx ends or something
// fails. When the folder's UIDVALIDITY changed (it was recreated), every
// message is read again: the desk recognises those it has by Message-ID.
// The mailbox is only read: flags are not changed, people may use it too.
func (r *Reader) Run(ctx context.Context, st State, handle Handler) error {
	addr, implicit, err := serverOf(r.s["imap_url"], "imap")
	if err != nil {
		return channel.Permanent(err)
	}
	host, _, _ := net.SplitHostPort(addr)
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if r.tls != nil {
		cfg = r.tls.Clone()
	}
	cfg.ServerName = host
	news := make(chan struct{}, 1)
	opts := &imapclient.Options{TLSConfig: cfg, UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case news <- struct{}{}:
				default:
				}
			}
		},
	}}
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	var c *imapclient.Client
	if implicit {
		c = imapclient.New(tls.Client(conn, cfg), opts)
	} else if c, err = imapclient.NewStartTLS(conn, opts); err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	user := r.s.Get("username", r.s["address"])
	if r.tokens.oauth() {
		var tok string
		if tok, err = r.tokens.get(ctx); err == nil {
			err = c.Authenticate(xoauth2{user: user, token: tok})
		}
	} else {
		err = c.Login(user, r.s["password"]).Wait()
	}
	if err != nil {
		return fmt.Errorf("login refused: %w", err)
	}
	folder := r.s.Get("folder", "INBOX")
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return fmt.Errorf("folder %s: %w", folder, err)
	}
	if sel.UIDValidity != st.UIDValidity {
		st = State{UIDValidity: sel.UIDValidity}
	}
	poll := r.Poll
	if poll <= 0 {
		poll = time.Minute
	}
	for {
		if st, err = r.fetchNew(ctx, c, st, handle); err != nil {
			return err
		}
		if err := r.wait(ctx, c, news, poll); err != nil {
			return err
		}
	}
}

// fetchNew hands the messages above st.LastUID to handle, one by one.
func (r *Reader) fetchNew(ctx context.Context, c *imapclient.Client, st State, handle Handler) (State, error) {
	res, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(st.LastUID + 1), Stop: 0}}}}, nil).Wait()
	if err != nil {
		return st, err
	}
	var uids []imap.UID
	for _, uid := range res.AllUIDs() {
		if uint32(uid) > st.LastUID { // "n:*" always matches the last message
			uids = append(uids, uid)
		}
	}
	if len(uids) == 0 {
		return st, ctx.Err()
	}
	sizes := map[imap.UID]int64{}
	infos, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return st, err
	}
	for _, m := range infos {
		sizes[m.UID] = m.RFC822Size
	}
	max := r.MaxMessage
	if max <= 0 {
		max = 50 << 20
	}
	for _, uid := range uids {
		section := &imap.FetchItemBodySection{Peek: true}
		if sizes[uid] > max {
			section.Partial = &imap.SectionPartial{Offset: 0, Size: max}
		}
		msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return st, err
		}
		next := State{UIDValidity: st.UIDValidity, LastUID: uint32(uid)}
		for _, m := range msgs {
			if m.UID != uid || len(m.BodySection) == 0 {
				continue
			}
			raw := m.BodySection[0].Bytes
			if err := handle(ctx, raw, max64(sizes[uid], int64(len(raw))), next); err != nil {
				return st, err
			}
		}
		st = next
	}
	return st, ctx.Err()
}

// wait returns when the server reports new mail, or after poll.
func (r *Reader) wait(ctx context.Context, c *imapclient.Client, news <-chan struct{}, poll time.Duration) error {
	t := time.NewTimer(poll)
	defer t.Stop()
	if !c.Caps().Has(imap.CapIdle) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return c.Noop().Wait()
		}
	}
	idle, err := c.Idle()
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-news:
	case <-t.C: // go back to fetching now and then anyway: a notice may be lost
	case <-c.Closed():
		return errors.New("the server closed the connection")
	}
	if err := idle.Close(); err != nil {
		return err
	}
	if err := idle.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
