package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokensFromEveryPlace(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	writeTokens(t, file, "# publishers\nrw:file-writer-token\n\n  ro:file-reader-token  \n")
	cfg := mustLoad(t, nil, []string{
		"HERALD_API_TOKEN=single-token",
		"HERALD_API_TOKENS=ro:list-reader, rw:list-writer",
		"HERALD_API_TOKENS_FILE=" + file,
	})
	got, err := cfg.Tokens()
	if err != nil {
		t.Fatalf("Tokens: %v", err)
	}
	want := []Token{
		{Secret: "single-token", Source: "api.token"},
		{Secret: "list-reader", ReadOnly: true, Source: "api.tokens[0]"},
		{Secret: "list-writer", Source: "api.tokens[1]"},
		{Secret: "file-writer-token", Source: file + ":2"},
		{Secret: "file-reader-token", ReadOnly: true, Source: file + ":4"},
	}
	if len(got) != len(want) {
		t.Fatalf("Tokens()=%+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestBadTokensAreNamedNotShown(t *testing.T) {
	const secret = "s3cret-value"
	tests := []struct {
		name, list, file, wantIn string
	}{
		{"list without mode", secret, "", "api.tokens[0]"},
		{"list with unknown mode", "rw:ok-token-one, admin:" + secret, "", "api.tokens[1]"},
		{"file without mode", "", "rw:ok-token\n" + secret + "\n", ":2"},
		{"empty token", "", "ro:\n", ":1"},
		{"repeated token", "rw:" + secret, "ro:" + secret + "\n", "repeats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{}
			cfg.API.Tokens = tt.list
			if tt.file != "" {
				cfg.API.TokensFile = filepath.Join(t.TempDir(), "tokens")
				writeTokens(t, cfg.API.TokensFile, tt.file)
			}
			_, err := cfg.Tokens()
			if err == nil {
				t.Fatalf("Tokens() succeeded, want an error mentioning %q", tt.wantIn)
			}
			if !strings.Contains(err.Error(), tt.wantIn) || strings.Contains(err.Error(), secret) {
				t.Fatalf("error %q: want it to mention %q and never the token", err, tt.wantIn)
			}
		})
	}
	if _, err := (&Config{API: APIConfig{TokensFile: "/nonexistent/tokens"}}).Tokens(); err == nil {
		t.Errorf("a missing tokens file was accepted")
	}
}

// TestShortTokensWarn: a token shorter than 16 bytes still works but gets
// a warning naming where it was configured, never the token.
func TestShortTokensWarn(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	writeTokens(t, file, "rw:0123456789abcdef\nro:filetok\n")
	cfg := mustLoad(t, nil, []string{
		"HERALD_API_TOKEN=loadtest",
		"HERALD_API_TOKENS=rw:abc, ro:fedcba9876543210fedcba",
		"HERALD_API_TOKENS_FILE=" + file,
	})
	tokens, err := cfg.Tokens()
	if err != nil {
		t.Fatalf("Tokens: %v (a short token must be accepted)", err)
	}
	warnings := TokenWarnings(tokens)
	want := []string{"api.token ", "api.tokens[0] ", file + ":2 "}
	if len(warnings) != len(want) {
		t.Fatalf("warnings %q, want one for each of %q", warnings, want)
	}
	for i, w := range warnings {
		if !strings.HasPrefix(w, "config: ") || !strings.Contains(w, want[i]) || !strings.Contains(w, "16 bytes") {
			t.Errorf("warning %q, want one naming %s and the 16 bytes", w, want[i])
		}
		for _, secret := range []string{"loadtest", "abc", "filetok"} {
			if strings.Contains(w, secret) {
				t.Errorf("warning %q shows a token", w)
			}
		}
	}
}

func TestPrintMasksTokenList(t *testing.T) {
	cfg := mustLoad(t, nil, []string{"HERALD_API_TOKENS=rw:list-writer-42,ro:list-reader-42"})
	var buf bytes.Buffer
	if err := cfg.Print(&buf); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.Contains(out, "list-writer-42") || strings.Contains(out, "list-reader-42") || !strings.Contains(out, `tokens: "****"`) {
		t.Fatalf("printout does not mask api.tokens:\n%s", out)
	}
}

func TestValidateReliabilityKeys(t *testing.T) {
	tests := []struct {
		env, key string
	}{
		{"HERALD_API_TOKENS=plain-token", "api.tokens[0]"},
		{"HERALD_SERVER_TRUSTED_PROXIES=10.0.0.0/33", "server.trusted_proxies"},
		{"HERALD_SERVER_PROXY_HEADER=X-Forwarded-For", "server.trusted_proxies"},
		{"HERALD_SERVER_MAX_HEADER_BYTES=100", "server.max_header_bytes"},
		{"HERALD_LIMITS_TAGS=0", "limits.tags"},
		{"HERALD_METRICS_PATH=/api/v1/metrics", "metrics.path"},
		{"HERALD_FEED_MAX_STALE=-1s", "feed.max_stale"},
		{"HERALD_API_RATE_LIMIT=-1", "api.rate_limit"},
	}
	for _, tt := range tests {
		_, _, err := Load(nil, []string{tt.env})
		if err == nil || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("Load with %s: err=%v, want one naming %s", tt.env, err, tt.key)
		}
	}
	prefixes, err := ParsePrefixes("127.0.0.1, 10.0.0.0/8,::1")
	if err != nil || len(prefixes) != 3 || prefixes[0].Bits() != 32 || prefixes[2].Bits() != 128 {
		t.Errorf("ParsePrefixes=%v, %v; want 3 prefixes, single addresses as /32 and /128", prefixes, err)
	}
}

func writeTokens(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
