package redistest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	if err := ping(s.Addr(), nil); err != nil {
		t.Fatalf("ping after Start: %v", err)
	}
	if got, want := s.URL(), "redis://"+s.Addr()+"/0"; got != want {
		t.Fatalf("URL()=%q, want %q", got, want)
	}
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") {
		t.Fatalf("Addr()=%q, want a 127.0.0.1 address", s.Addr())
	}

	s.Stop()
	if err := ping(s.Addr(), nil); err == nil {
		t.Fatalf("ping after Stop succeeded, want an error")
	}
	s.Stop() // a second Stop must be harmless

	addr := s.Addr()
	s.Restart()
	if s.Addr() != addr {
		t.Fatalf("Restart moved the server from %s to %s", addr, s.Addr())
	}
	if err := ping(s.Addr(), nil); err != nil {
		t.Fatalf("ping after Restart: %v", err)
	}
}

func TestTwoServersAreIndependent(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Addr() == b.Addr() {
		t.Fatalf("two servers share %s", a.Addr())
	}
	a.Stop()
	if err := ping(b.Addr(), nil); err != nil {
		t.Fatalf("stopping one server broke the other: %v", err)
	}
}

// recordingTB captures Skipf and Fatalf instead of acting on the real test,
// and ends the calling goroutine the way the testing package does.
type recordingTB struct {
	testing.TB
	skipped, failed string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestMissingBinary(t *testing.T) {
	tests := []struct {
		require     string
		wantSkipped bool
	}{
		{require: "", wantSkipped: true},
		{require: "0", wantSkipped: true},
		{require: "1", wantSkipped: false},
	}
	for _, tt := range tests {
		t.Run("require="+tt.require, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir()) // an empty directory: no redis-server
			t.Setenv(RequireEnv, tt.require)
			rec := &recordingTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Start(rec)
				t.Errorf("Start returned without skipping or failing")
			}()
			<-done
			if tt.wantSkipped {
				want := "redis-server not found on PATH; skipping Redis-backed test (set HERALD_REQUIRE_REDIS=1 to make this fatal)"
				if rec.skipped != want || rec.failed != "" {
					t.Fatalf("skipped=%q failed=%q, want skipped=%q", rec.skipped, rec.failed, want)
				}
				return
			}
			if rec.failed == "" || rec.skipped != "" {
				t.Fatalf("skipped=%q failed=%q, want a failure", rec.skipped, rec.failed)
			}
			if !strings.Contains(rec.failed, RequireEnv) {
				t.Fatalf("failure %q does not name %s", rec.failed, RequireEnv)
			}
		})
	}
}
