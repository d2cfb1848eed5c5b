package httpserver

import (
	"net/http"
	"testing"
	"time"
)

// TestHTTPDates: remembered dates are those of the time asked for, also
// when two times share a slot, and in any zone.
func TestHTTPDates(t *testing.T) {
	var d httpDates
	base := time.Date(2026, 11, 25, 15, 4, 5, 0, time.UTC)
	times := []time.Time{
		base,
		base.Add(16 * time.Second), // the same slot as base
		base.Add(500 * time.Millisecond),
		base.In(time.FixedZone("east", 5*3600)),
		base.Add(-16 * time.Second),
		base,
	}
	for _, tm := range times {
		want := tm.UTC().Format(http.TimeFormat)
		for range 2 { // formatted, then remembered
			if got := string(d.appendHTTPDate([]byte("x"), tm)); got != "x"+want {
				t.Errorf("appendHTTPDate(%v) = %q, want %q", tm, got, "x"+want)
			}
		}
	}
}
