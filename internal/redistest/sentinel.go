package redistest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// SentinelMaster is the master name StartSentinel's Sentinel monitors.
const SentinelMaster = "heraldmaster"

// Sentinel is a throwaway Redis master watched by one Sentinel, and the
// master's replica when started with one.
type Sentinel struct {
	Master   *Server
	Replica  *Server
	Sentinel *Server
}

// StartSentinel starts a master and a Sentinel monitoring it under
// SentinelMaster, and returns once both answer PING. Both stop when the
// test ends. Like Start, it skips without redis-server unless
// HERALD_REQUIRE_REDIS=1.
func StartSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	return startSentinel(tb, nil, false)
}

// StartSentinelWithReplica is StartSentinel with a replica of the master,
// which the Sentinel promotes half a second after the master stops
// answering (a failover, as a test provokes by stopping Master).
func StartSentinelWithReplica(tb testing.TB) *Sentinel {
	tb.Helper()
	return startSentinel(tb, nil, true)
}

// StartSentinelTLS is StartSentinel with the master and the Sentinel on
// TLS only, with t's certificate (the Sentinel reaches the master over TLS
// too).
func StartSentinelTLS(tb testing.TB, t *TLS) *Sentinel {
	tb.Helper()
	return startSentinel(tb, t, false)
}

func startSentinel(tb testing.TB, t *TLS, withReplica bool) *Sentinel {
	tb.Helper()
	master := start(tb, t)
	var replica *Server
	if withReplica {
		replica = StartReplica(tb, master)
	}
	s := &Server{tb: tb, bin: master.bin, dir: tb.TempDir(), tls: t}
	tb.Cleanup(s.Stop)
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redistest: find a free port: %v", err)
		}
		s.port = port
		// Sentinel rewrites its config file, so it must be writable and
		// its own.
		s.conf = filepath.Join(s.dir, "sentinel.conf")
		conf := fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 1\n", SentinelMaster, master.port)
		if withReplica {
			conf += fmt.Sprintf("sentinel down-after-milliseconds %[1]s 500\nsentinel failover-timeout %[1]s 5000\n", SentinelMaster)
		}
		if err := os.WriteFile(s.conf, []byte(conf), 0o600); err != nil {
			tb.Fatalf("redistest: write sentinel.conf: %v", err)
		}
		s.extra = []string{"--sentinel"}
		if lastErr = s.start(); lastErr == nil {
			return &Sentinel{Master: master, Replica: replica, Sentinel: s}
		}
	}
	tb.Fatalf("redistest: start sentinel: %v", lastErr)
	return nil
}
