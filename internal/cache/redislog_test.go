package cache

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestClientLogGoesToSlogAtDebug(t *testing.T) {
	var buf bytes.Buffer
	debug := clientLog{log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	debug.Printf(context.Background(), "dial %s: %v", "127.0.0.1:1", "refused")
	if got := buf.String(); !strings.Contains(got, "level=DEBUG") || !strings.Contains(got, `detail="dial 127.0.0.1:1: refused"`) {
		t.Errorf("log line %q, want a debug record with the formatted detail", got)
	}
	buf.Reset()
	info := clientLog{log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	info.Printf(context.Background(), "dial failed")
	if buf.Len() != 0 {
		t.Errorf("at level info the client line was logged: %q", buf.String())
	}
}
