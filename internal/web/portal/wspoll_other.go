//go:build !linux

package portal

// wsPoller is Linux's (wspoll_linux.go); elsewhere each chat connection
// reads on its own goroutine.
type wsPoller struct{}

func newWSPoller() *wsPoller { return nil }

func (p *wsPoller) watch(c *wsConn) bool { return false }

func (p *wsPoller) close() {}
