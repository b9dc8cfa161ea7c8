package realtime_test

import (
	"sync"
	"testing"

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
	if subs, _, _ := h.Stats(); subs != 0 {
		t.Errorf("stats: %d subscribers on topics, want 0", subs)
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
