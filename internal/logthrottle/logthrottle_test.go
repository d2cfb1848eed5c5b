package logthrottle

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func lines(buf *bytes.Buffer) []string {
	s := strings.TrimSpace(buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestOneLinePerInterval(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	th := New(10 * time.Second)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ {
		th.Warn(log, t0.Add(time.Duration(i)*time.Millisecond), "cache down")
	}
	th.Warn(log, t0.Add(11*time.Second), "cache down")
	got := lines(&buf)
	if len(got) != 2 {
		t.Fatalf("%d lines for 101 failures over 11s, want 2:\n%s", len(got), buf.String())
	}
	if strings.Contains(got[0], "suppressed") {
		t.Errorf("first line %q counts lines held back, but none was", got[0])
	}
	if !strings.Contains(got[1], "suppressed=99") {
		t.Errorf("second line %q should count the 99 held back", got[1])
	}
}

func TestFlushReportsWhatWasHeldBack(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	th := New(time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th.Flush(log, slog.LevelWarn, "held back")
	if got := lines(&buf); len(got) != 0 {
		t.Fatalf("flush with nothing held back logged %q", got)
	}
	for i := range 5 {
		th.Warn(log, t0.Add(time.Duration(i)*time.Second), "hub down")
	}
	th.Flush(log, slog.LevelWarn, "held back")
	got := lines(&buf)
	if len(got) != 2 || !strings.Contains(got[1], `msg="held back"`) || !strings.Contains(got[1], "suppressed=4") {
		t.Fatalf("after 5 lines within a minute and a flush: %q; want the first line, then one saying suppressed=4", got)
	}
	th.Flush(log, slog.LevelWarn, "held back")
	if n := len(lines(&buf)); n != 2 {
		t.Errorf("a second flush logged again (%d lines); what it reported is no longer held", n)
	}
}
