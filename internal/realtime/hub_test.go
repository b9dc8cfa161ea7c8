package realtime_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/realtime"
)

func TestPublishReachesTopicSubscribers(t *testing.T) {
	h := realtime.NewHub(8)
	a := h.Subscribe(realtime.OrgTopic(1))
	b := h.Subscribe(realtime.OrgTopic(2), realtime.ConversationTopic(7))
	defer a.Close()
	defer b.Close()
	h.Publish(realtime.OrgTopic(1), realtime.Event{Type: "message", Seq: 1})
	h.Publish(realtime.ConversationTopic(7), realtime.Event{Type: "message", Seq: 2})
	if ev := <-a.C; ev.Seq != 1 {
		t.Errorf("a got seq %d, want 1", ev.Seq)
	}
	if ev := <-b.C; ev.Seq != 2 {
		t.Errorf("b got seq %d, want 2", ev.Seq)
	}
	select {
	case ev := <-a.C:
		t.Errorf("a got an event of another topic: %+v", ev)
	default:
	}
}

func TestAddAndRemoveTopics(t *testing.T) {
	h := realtime.NewHub(8)
	s := h.Subscribe()
	defer s.Close()
	s.Add(realtime.ConversationTopic(3))
	s.Add(realtime.ConversationTopic(3)) // twice is once
	h.Publish(realtime.ConversationTopic(3), realtime.Event{Seq: 1})
	if ev := <-s.C; ev.Seq != 1 {
		t.Fatalf("got %+v", ev)
	}
	select {
	case ev := <-s.C:
		t.Fatalf("duplicate delivery: %+v", ev)
	default:
	}
	s.Remove(realtime.ConversationTopic(3))
	h.Publish(realtime.ConversationTopic(3), realtime.Event{Seq: 2})
	select {
	case ev := <-s.C:
		t.Errorf("event after Remove: %+v", ev)
	default:
	}
	// A subscription without topics (a chat page before its first
	// message) still counts, until it is closed.
	if subs, _, _ := h.Stats(); subs != 1 {
		t.Errorf("stats: %d subscribers, want 1", subs)
	}
	s.Close()
	if subs, _, _ := h.Stats(); subs != 0 {
		t.Errorf("stats after close: %d subscribers, want 0", subs)
	}
}

// A subscriber that does not read is dropped; the others are not slowed.
func TestSlowSubscriberIsDropped(t *testing.T) {
	h := realtime.NewHub(2)
	slow := h.Subscribe("t")
	fast := h.Subscribe("t")
	defer fast.Close()
	for i := int64(1); i <= 10; i++ {
		h.Publish("t", realtime.Event{Seq: i})
		if ev := <-fast.C; ev.Seq != i {
			t.Fatalf("fast subscriber got seq %d, want %d", ev.Seq, i)
		}
	}
	for range slow.C { // drains what was buffered, then sees the close
	}
	if !slow.Dropped() {
		t.Error("slow subscriber not marked dropped")
	}
	if _, _, dropped := h.Stats(); dropped == 0 {
		t.Error("stats count no drop")
	}
}

func TestConcurrentPublishAndClose(t *testing.T) {
	h := realtime.NewHub(4)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				s := h.Subscribe("x", "y")
				h.Publish("x", realtime.Event{Seq: 1})
				s.Close()
			}
		})
		wg.Go(func() {
			for range 500 {
				h.Publish("y", realtime.Event{Seq: 2})
			}
		})
	}
	wg.Wait()
}

// A notified subscriber hears of each event queued for it, of being
// dropped when its own, smaller queue fills, and of its own close.
func TestSubscribeNotify(t *testing.T) {
	h := realtime.NewHub(64)
	var mu sync.Mutex
	calls := 0
	s := h.SubscribeNotify(2, func() { mu.Lock(); calls++; mu.Unlock() }, realtime.ConversationTopic(3))
	count := func() int { mu.Lock(); defer mu.Unlock(); return calls }
	h.Publish(realtime.ConversationTopic(3), realtime.Event{Type: "typing"})
	h.Publish(realtime.ConversationTopic(4), realtime.Event{Type: "typing"}) // another topic: no call
	if got := count(); got != 1 {
		t.Fatalf("after one event: %d calls, want 1", got)
	}
	h.Publish(realtime.ConversationTopic(3), realtime.Event{Type: "typing", Seq: 2})
	h.Publish(realtime.ConversationTopic(3), realtime.Event{Type: "typing", Seq: 3}) // the queue of 2 is full: dropped
	for range s.C {
	}
	if !s.Dropped() {
		t.Error("a full queue of 2 did not drop the subscriber")
	}
	// The drop closes C, then notifies: wait for the call.
	deadline := time.Now().Add(2 * time.Second)
	for count() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := count(); got != 3 {
		t.Errorf("two events and a drop: %d calls, want 3", got)
	}
	quiet := h.SubscribeNotify(0, func() { mu.Lock(); calls++; mu.Unlock() })
	before := count()
	quiet.Close()
	if got := count(); got != before+1 {
		t.Errorf("close: %d calls, want %d", got, before+1)
	}
}
