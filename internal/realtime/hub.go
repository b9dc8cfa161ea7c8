// Package realtime fans events out to live connections (console tabs,
// citizens' chat pages). The database is the truth and an event is the
// signal: an event carries what changed and its sequence number, so a
// client that notices a gap, or that was dropped for being slow, reloads
// from the database what it missed. Publishing never blocks the writer.
package realtime

import (
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/sportello/sportello/internal/model"
)

// Event is one change, published after its transaction committed.
type Event struct {
	Type           string          `json:"type"` // "message", "conversation", "typing", "presence", "viewers", …
	OrgID          int64           `json:"-"`
	ConversationID int64           `json:"conversation_id,omitempty"`
	Seq            int64           `json:"seq,omitempty"` // the message sequence, for resuming
	Data           json.RawMessage `json:"data,omitempty"`

	// What the publisher had in hand, for subscribers in this process
	// only: never sent to a client, never relayed to another instance
	// (there, and when nil, subscribers decode Data or read the store).
	// Subscribers share them and must not change them.
	Message      *model.Message      `json:"-"`
	Conversation *model.Conversation `json:"-"`
}

// OrgTopic is the topic of every change in an organisation (consoles).
func OrgTopic(orgID int64) string { return "org:" + strconv.FormatInt(orgID, 10) }

// ConversationTopic is the topic of one conversation (the citizen's page,
// operators looking at it).
func ConversationTopic(id int64) string { return "conv:" + strconv.FormatInt(id, 10) }

// Hub routes events to subscribers by topic. It is safe for concurrent
// use; its zero value is not: use NewHub.
type Hub struct {
	mu     sync.RWMutex
	topics map[string]map[*Sub]struct{}
	buffer int

	published atomic.Int64
	dropped   atomic.Int64
	subs      atomic.Int64 // open subscriptions, with topics or not yet
}

// NewHub makes a hub whose subscribers buffer up to buffer events before
// they count as slow and are dropped.
func NewHub(buffer int) *Hub {
	if buffer <= 0 {
		buffer = 64
	}
	return &Hub{topics: map[string]map[*Sub]struct{}{}, buffer: buffer}
}

// Sub is one subscriber: read C until it is closed. C is closed when the
// subscriber unsubscribes or is dropped for being slow (Dropped then
// reports true, and the client should resync from the database).
type Sub struct {
	C       <-chan Event
	c       chan Event
	hub     *Hub
	mu      sync.Mutex
	topics  []string
	closed  bool
	dropped atomic.Bool
	notify  func() // SubscribeNotify's
}

// Subscribe registers a subscriber to the given topics.
func (h *Hub) Subscribe(topics ...string) *Sub {
	return h.subscribe(h.buffer, nil, topics)
}

// SubscribeBuffered is Subscribe with its own queue size (0: the hub's):
// a subscriber that hears a whole organisation (a console tab) rides out
// a burst with a longer queue before it counts as slow.
func (h *Hub) SubscribeBuffered(buffer int, topics ...string) *Sub {
	if buffer <= 0 {
		buffer = h.buffer
	}
	return h.subscribe(buffer, nil, topics)
}

// SubscribeNotify registers a subscriber that need not wait on C: notify
// is called after each event is queued on C, and when C is closed, so
// that the subscriber schedules reading it. notify must not block or call
// the hub. buffer (0: the hub's) bounds the queue; a subscriber that
// lets it fill is dropped, as with Subscribe. A connection that is idle
// most of its life (a citizen's open chat page) so holds no goroutine for
// its events.
func (h *Hub) SubscribeNotify(buffer int, notify func(), topics ...string) *Sub {
	if buffer <= 0 {
		buffer = h.buffer
	}
	return h.subscribe(buffer, notify, topics)
}

func (h *Hub) subscribe(buffer int, notify func(), topics []string) *Sub {
	c := make(chan Event, buffer)
	s := &Sub{C: c, c: c, hub: h, notify: notify}
	h.subs.Add(1)
	h.mu.Lock()
	for _, t := range topics {
		s.topics = append(s.topics, t)
		m := h.topics[t]
		if m == nil {
			m = map[*Sub]struct{}{}
			h.topics[t] = m
		}
		m[s] = struct{}{}
	}
	h.mu.Unlock()
	return s
}

// Add subscribes s to one more topic (a console tab opening a
// conversation).
func (s *Sub) Add(topic string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	for _, t := range s.topics {
		if t == topic {
			return
		}
	}
	s.topics = append(s.topics, topic)
	h := s.hub
	h.mu.Lock()
	m := h.topics[topic]
	if m == nil {
		m = map[*Sub]struct{}{}
		h.topics[topic] = m
	}
	m[s] = struct{}{}
	h.mu.Unlock()
}

// Remove unsubscribes s from one topic.
func (s *Sub) Remove(topic string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.topics {
		if t == topic {
			s.topics = append(s.topics[:i], s.topics[i+1:]...)
			s.hub.detach(s, topic)
			return
		}
	}
}

// Close unsubscribes from every topic and closes C.
func (s *Sub) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

func (s *Sub) closeLocked() {
	if s.closed {
		return
	}
	s.closed = true
	s.hub.subs.Add(-1)
	for _, t := range s.topics {
		s.hub.detach(s, t)
	}
	s.topics = nil
	close(s.c)
	if s.notify != nil {
		s.notify()
	}
}

// Dropped reports whether the hub closed the subscription because the
// subscriber did not keep up.
func (s *Sub) Dropped() bool { return s.dropped.Load() }

func (h *Hub) detach(s *Sub, topic string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m := h.topics[topic]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.topics, topic)
		}
	}
}

// Publish sends ev to every subscriber of topic without waiting: a
// subscriber whose buffer is full is dropped, never waited for.
func (h *Hub) Publish(topic string, ev Event) {
	h.published.Add(1)
	var slow []*Sub
	h.mu.RLock()
	for s := range h.topics[topic] {
		select {
		case s.c <- ev:
			if s.notify != nil {
				s.notify()
			}
		default:
			slow = append(slow, s)
		}
	}
	h.mu.RUnlock()
	for _, s := range slow {
		h.dropped.Add(1)
		s.dropped.Store(true)
		// Closing takes the hub lock: done outside the read lock above.
		go s.Close()
	}
}

// Stats reports counts for the metrics endpoint: open subscriptions
// (a console tab, a citizen's chat page), events published, subscribers
// dropped for being slow.
func (h *Hub) Stats() (subscribers, published, dropped int64) {
	return h.subs.Load(), h.published.Load(), h.dropped.Load()
}
