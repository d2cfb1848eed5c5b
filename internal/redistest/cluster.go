package redistest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is a throwaway Redis Cluster of masters without replicas, each a
// Server of its own, created with redis-cli --cluster create.
type Cluster struct {
	Nodes []*Server
}

// Addrs returns the host:port of every node, for a cluster client's seeds.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr()
	}
	return out
}

// StartCluster starts masters redis-server processes in cluster mode (at
// least 3, as redis-cli requires), joins them into one cluster covering
// every hash slot and returns once every node reports cluster_state:ok.
// Nodes stop when the test ends. Like Start, it skips without
// redis-server or redis-cli unless HERALD_REQUIRE_REDIS=1.
func StartCluster(tb testing.TB, masters int) *Cluster {
	tb.Helper()
	return startCluster(tb, masters, nil)
}

// StartClusterTLS is StartCluster with every node, and the cluster bus
// between them, on TLS only, with t's certificate.
func StartClusterTLS(tb testing.TB, masters int, t *TLS) *Cluster {
	tb.Helper()
	return startCluster(tb, masters, t)
}

func startCluster(tb testing.TB, masters int, t *TLS) *Cluster {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	cli, cliErr := exec.LookPath("redis-cli")
	if err == nil {
		err = cliErr
	}
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("redis-server or redis-cli not found on PATH and %s=1: %v", RequireEnv, err)
		}
		tb.Skipf("redis-server or redis-cli not found on PATH; skipping Redis Cluster test (set %s=1 to make this fatal)", RequireEnv)
	}
	c := &Cluster{}
	for range masters {
		s := &Server{tb: tb, bin: bin, dir: tb.TempDir(), tls: t}
		tb.Cleanup(s.Stop)
		var lastErr error
		for attempt := 0; attempt < 5; attempt++ {
			// The cluster bus listens on port+10000, which must be free too.
			port, err := freeClusterPort()
			if err != nil {
				tb.Fatalf("redistest: find a free port: %v", err)
			}
			s.port = port
			s.extra = []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"}
			if t != nil {
				s.extra = append(s.extra, "--tls-cluster", "yes")
			}
			if lastErr = s.start(); lastErr == nil {
				break
			}
		}
		if lastErr != nil {
			tb.Fatalf("redistest: start cluster node: %v", lastErr)
		}
		c.Nodes = append(c.Nodes, s)
	}
	var tlsArgs []string
	if t != nil {
		tlsArgs = t.cliArgs()
	}
	args := append(append(tlsArgs, "--cluster", "create"), c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redistest: redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	deadline := time.Now().Add(startupWait)
	for _, n := range c.Nodes {
		for {
			out, err := exec.Command(cli, append(tlsArgs, "-h", "127.0.0.1", "-p", strconv.Itoa(n.port), "cluster", "info")...).CombinedOutput()
			if err == nil && bytes.Contains(out, []byte("cluster_state:ok")) {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("redistest: node %s did not report cluster_state:ok within %v: %s", n.Addr(), startupWait, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}

// freeClusterPort finds a port that is free together with port+10000.
func freeClusterPort() (int, error) {
	for range 50 {
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		if port+10000 > 65535 {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no port p with p+10000 free")
}
