package desk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/store"
)

// Shared presence. Each instance knows the console tabs connected to it
// (Presence). With several instances on one PostgreSQL database
// (Options.SharedPresence), each also writes its operators' statuses to
// the database — at every change, and every worker round while they stay
// — and routing reads every instance's: an operator connected to another
// instance is online for this one's routing, and their chats are not
// handed on when their tab moves to another instance.
const (
	presenceTTL   = 90 * time.Second // a row not refreshed this long is an instance gone (rounds are 30 s)
	presenceCache = 2 * time.Second  // how long a read of the others' rows serves routing
)

type sharedPresence struct {
	on       bool
	instance string
	flush    chan struct{} // a local status changed: write soon

	mu    sync.Mutex
	cache map[int64]presenceSnapshot // other instances' view, by organisation
}

type presenceSnapshot struct {
	at       time.Time
	statuses map[int64]PresenceStatus
}

func newSharedPresence(on bool) *sharedPresence {
	var b [8]byte
	rand.Read(b[:])
	return &sharedPresence{on: on, instance: hex.EncodeToString(b[:]), flush: make(chan struct{}, 1), cache: map[int64]presenceSnapshot{}}
}

// changed is called by Presence (under its lock) when a status changed.
func (sp *sharedPresence) changed() {
	if !sp.on {
		return
	}
	select {
	case sp.flush <- struct{}{}:
	default:
	}
}

// FlushPresence writes this instance's operators' statuses for the other
// instances. gone writes none: the instance is stopping.
func (d *Service) FlushPresence(ctx context.Context, gone bool) error {
	if !d.shared.on {
		return nil
	}
	var rows []store.PresenceRow
	if p := d.routes.presence.Load(); p != nil && !gone {
		p.mu.Lock()
		for id, u := range p.users {
			if u.status != Offline {
				rows = append(rows, store.PresenceRow{UserID: id, OrgID: u.orgID, Status: string(u.status)})
			}
		}
		p.mu.Unlock()
	}
	return d.st.SavePresence(ctx, d.shared.instance, rows)
}

// othersPresence is what the other instances say about the
// organisation's operators, read at most every presenceCache.
func (d *Service) othersPresence(orgID int64) map[int64]PresenceStatus {
	if !d.shared.on {
		return nil
	}
	now := d.now()
	d.shared.mu.Lock()
	snap, ok := d.shared.cache[orgID]
	d.shared.mu.Unlock()
	if ok && now.Sub(snap.at) < presenceCache {
		return snap.statuses
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := d.st.SharedPresence(ctx, orgID, d.shared.instance, now.Add(-presenceTTL))
	if err != nil {
		d.log.Warn("shared presence", "org", orgID, "err", err)
		return snap.statuses // the last view, if any
	}
	statuses := map[int64]PresenceStatus{}
	for _, r := range rows {
		statuses[r.UserID] = best(statuses[r.UserID], PresenceStatus(r.Status))
	}
	d.shared.mu.Lock()
	d.shared.cache[orgID] = presenceSnapshot{at: now, statuses: statuses}
	d.shared.mu.Unlock()
	return statuses
}

// best is the more present of two statuses: online, then away.
func best(a, b PresenceStatus) PresenceStatus {
	switch {
	case a == Online || b == Online:
		return Online
	case a == Away || b == Away:
		return Away
	}
	return Offline
}
