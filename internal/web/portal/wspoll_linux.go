//go:build linux

package portal

import (
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
)

// wsPoller watches idle chat sockets with one epoll instance and one
// goroutine: a socket with bytes to read gets a short-lived goroutine that
// reads them (wsConn.readRound), then goes back to the watch. Each socket
// is armed one shot at a time, so that one round runs at once for it.
type wsPoller struct {
	epfd int
	wake [2]int // a pipe whose read end is in the set: close writes to it
	mu   sync.Mutex
	fds  map[int32]*wsPolled
	stop chan struct{}
	done chan struct{}

	closed    atomic.Bool
	closeOnce sync.Once
}

type wsPolled struct {
	c   *wsConn
	raw syscall.RawConn
	fd  int32
}

const wsPollEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT

// newWSPoller starts the watch; nil when the system refuses (each
// connection then reads on its own goroutine).
func newWSPoller() *wsPoller {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	p := &wsPoller{epfd: epfd, fds: map[int32]*wsPolled{}, stop: make(chan struct{}), done: make(chan struct{})}
	// Closing the epoll descriptor does not wake a thread waiting on it:
	// a byte in this pipe does.
	if err := syscall.Pipe2(p.wake[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		syscall.Close(epfd)
		return nil
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(p.wake[0])}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.wake[0], &ev); err != nil {
		syscall.Close(epfd)
		syscall.Close(p.wake[0])
		syscall.Close(p.wake[1])
		return nil
	}
	go p.loop()
	return p
}

// watch starts reading c through the poller; false when c's socket cannot
// be watched (the caller reads it another way).
func (p *wsPoller) watch(c *wsConn) bool {
	if p == nil || p.closed.Load() {
		return false
	}
	sc, ok := c.conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var fd int32 = -1
	if raw.Control(func(f uintptr) { fd = int32(f) }) != nil || fd < 0 {
		return false
	}
	w := &wsPolled{c: c, raw: raw, fd: fd}
	// Set before the socket is in the set (a read may close it at once),
	// and published by p.mu, which the poller takes to find w.
	prev := c.onClose
	c.onClose = func() {
		p.forget(w)
		if prev != nil {
			prev()
		}
	}
	p.mu.Lock()
	p.fds[fd] = w
	p.mu.Unlock()
	ev := syscall.EpollEvent{Events: wsPollEvents, Fd: fd}
	if syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev) != nil {
		p.forget(w)
		c.onClose = prev
		return false
	}
	// Closed before it was watched: forget it now.
	if c.closed.Load() {
		p.forget(w)
	}
	return true
}

// forget stops watching a closed socket. Its descriptor may already be
// another socket's: only the entry that is still this one goes.
func (p *wsPoller) forget(w *wsPolled) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fds[w.fd] == w {
		delete(p.fds, w.fd)
		// Closing the socket removed it from the epoll set already.
	}
}

func (p *wsPoller) close() {
	if p == nil {
		return
	}
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		close(p.stop)
		syscall.Write(p.wake[1], []byte{0})
		<-p.done
		syscall.Close(p.epfd)
		syscall.Close(p.wake[0])
		syscall.Close(p.wake[1])
	})
}

func (p *wsPoller) loop() {
	defer close(p.done)
	events := make([]syscall.EpollEvent, 128)
	for {
		n, err := syscall.EpollWait(p.epfd, events, -1)
		select {
		case <-p.stop:
			return
		default:
		}
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return
		}
		for _, ev := range events[:n] {
			if int(ev.Fd) == p.wake[0] {
				continue
			}
			p.mu.Lock()
			w := p.fds[ev.Fd]
			p.mu.Unlock()
			if w != nil {
				go p.read(w)
			}
		}
	}
}

// read runs one round for w's socket, then arms it again.
func (p *wsPoller) read(w *wsPolled) {
	c := w.c
	if !c.reading.CompareAndSwap(false, true) {
		return // a round is running; it arms the socket again when done
	}
	more := c.readRound(func(b []byte) (int, error) {
		var n int
		var rerr error
		err := w.raw.Read(func(fd uintptr) bool {
			n, rerr = syscall.Read(int(fd), b)
			return true // never wait here: the poller waits for everyone
		})
		if err != nil {
			return 0, err
		}
		if errors.Is(rerr, syscall.EAGAIN) {
			return 0, errWouldBlock
		}
		if rerr != nil {
			return 0, rerr
		}
		if n < 0 {
			n = 0
		}
		return n, nil
	})
	c.reading.Store(false)
	if !more {
		return
	}
	p.mu.Lock()
	current := p.fds[w.fd] == w
	p.mu.Unlock()
	if !current || p.closed.Load() {
		return
	}
	ev := syscall.EpollEvent{Events: wsPollEvents, Fd: w.fd}
	if syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_MOD, int(w.fd), &ev) != nil {
		c.closeConn()
	}
}
