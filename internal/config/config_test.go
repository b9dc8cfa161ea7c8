package config

import (
	"flag"
	"strings"
	"testing"
)

// The profiler shows a running server's insides: it may listen on a
// loopback address only.
func TestDebugAddrMustBeLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"127.0.0.1:6060", true},
		{"localhost:6060", true},
		{"[::1]:6060", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"192.168.1.10:6060", false},
		{"example.org:6060", false},
		{"6060", false},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		c := Bind(fs, func(string) string { return "" }, true)
		if err := fs.Parse([]string{"--data", t.TempDir(), "--debug-addr", tc.addr}); err != nil {
			t.Fatal(err)
		}
		err := c.Validate()
		if got := err == nil; got != tc.ok {
			t.Errorf("--debug-addr %q: error %v, want ok=%v", tc.addr, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--debug-addr") {
			t.Errorf("--debug-addr %q: the error %q does not name the flag", tc.addr, err)
		}
	}
}
