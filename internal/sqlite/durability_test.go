package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/herald"
)

// childEnv names the database a re-executed test binary writes to.
const childEnv = "HERALD_SQLITE_KILL_CHILD_DB"

// TestAcknowledgedWritesSurviveKill runs a child process that creates
// articles as fast as it can and prints each ID once CreateArticle has
// returned, then kills it with SIGKILL mid-stream. Every acknowledged
// article must be there when the database is opened again.
//
// A process kill leaves the OS page cache intact, so this checks the
// transaction and WAL recovery path, not fsync; synchronous=FULL, checked
// by TestPragmas, covers power loss.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "herald.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 200 {
		if id, ok := strings.CutPrefix(sc.Text(), "acked "); ok {
			acked = append(acked, id)
		}
	}
	// Kill while the child is still writing: it never stops on its own.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	cmd.Wait()
	if len(acked) < 200 {
		t.Fatalf("child acknowledged %d articles before it stopped, want 200", len(acked))
	}

	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("re-Open after kill: %v", err)
	}
	defer s.Close()
	for _, id := range acked {
		if _, err := s.Article(context.Background(), id); err != nil {
			t.Fatalf("acknowledged article %s after kill: %v", id, err)
		}
	}
}

// TestMain turns the test binary into the writer child of
// TestAcknowledgedWritesSurviveKill when that test starts it.
func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		killChild(path)
	}
	os.Exit(m.Run())
}

// killChild creates articles until it is killed, printing each acknowledged
// ID. It never returns.
func killChild(path string) {
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		a := &herald.Article{ID: uuid.New().String(), Title: fmt.Sprintf("Crash %d", i), Categories: []string{"Crash"}}
		if err := a.Prepare("https://example.com", time.Now(), herald.Limits{}); err != nil {
			fmt.Fprintln(os.Stderr, "child prepare:", err)
			os.Exit(2)
		}
		if err := s.CreateArticle(ctx, a); err != nil {
			fmt.Fprintln(os.Stderr, "child create:", err)
			os.Exit(2)
		}
		fmt.Printf("acked %s\n", a.ID)
	}
}
