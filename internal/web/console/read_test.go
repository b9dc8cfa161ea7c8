package console_test

import (
	"strconv"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// Opening a conversation marks the citizen's messages as read, so the
// citizen's chat shows them as seen; a colleague's note is not touched.
func TestOpeningMarksCitizenMessagesRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		id := e.inbound("visitor-1", "Amina", "مرحبا")
		e.inbound("visitor-1", "Amina", "ho bisogno di aiuto")
		for _, m := range e.messages(id) {
			if m.DeliveryStatus == model.DeliveryRead {
				t.Fatalf("message %d read before anyone opened it", m.Seq)
			}
		}
		c := e.client().signIn("coord@desk.example")
		wantStatus(t, "open", c.get(convURL(id)), 200)
		for _, m := range e.messages(id) {
			if m.Direction == model.DirectionInbound && m.DeliveryStatus != model.DeliveryRead {
				t.Errorf("message %d: delivery %q after the operator opened it, want read", m.Seq, m.DeliveryStatus)
			}
		}
		// A message arriving later is read when the page fetches it.
		e.inbound("visitor-1", "Amina", "grazie")
		last := e.messages(id)
		seq := last[len(last)-1].Seq
		if last[len(last)-1].DeliveryStatus == model.DeliveryRead {
			t.Fatal("new message read before it was fetched")
		}
		wantStatus(t, "fragment", c.get(convURL(id)+"?after_seq="+strconv.FormatInt(seq-1, 10)), 200)
		last = e.messages(id)
		if got := last[len(last)-1].DeliveryStatus; got != model.DeliveryRead {
			t.Errorf("after the fragment: delivery %q, want read", got)
		}
	})
}
