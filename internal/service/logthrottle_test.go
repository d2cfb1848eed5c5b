package service

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestThrottleLogsOncePerInterval(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	th := throttle{interval: 10 * time.Second}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ {
		th.warn(log, t0.Add(time.Duration(i)*time.Millisecond), "cache down")
	}
	th.warn(log, t0.Add(11*time.Second), "cache down")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines for 101 failures over 11s, want 2:\n%s", len(lines), buf.String())
	}
	if !strings.Contains(lines[1], "suppressed=99") {
		t.Errorf("second line %q should count the 99 held back", lines[1])
	}
}
