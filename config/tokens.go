package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Token is one bearer token of the write API.
type Token struct {
	Secret   string
	ReadOnly bool // may only GET the write API
	// Source says where the token was configured ("api.token",
	// "api.tokens[2]", "/run/secrets/herald:4"), so logs can name a token
	// without ever showing it.
	Source string
}

// Tokens returns every configured token: api.token (read-write), the
// entries of api.tokens and the lines of api.tokens_file, which it reads.
// Errors name the key or the file and line, never a token.
func (c *Config) Tokens() ([]Token, error) {
	var out []Token
	if c.API.Token != "" {
		out = append(out, Token{Secret: c.API.Token, Source: "api.token"})
	}
	list, err := parseTokenList(c.API.Tokens)
	if err != nil {
		return nil, err
	}
	out = append(out, list...)
	if c.API.TokensFile != "" {
		data, err := os.ReadFile(c.API.TokensFile)
		if err != nil {
			return nil, fmt.Errorf("config: api.tokens_file: %w", err)
		}
		file, err := parseTokenFile(c.API.TokensFile, data)
		if err != nil {
			return nil, err
		}
		out = append(out, file...)
	}
	seen := map[string]string{}
	for _, t := range out {
		if masked(t.Secret) {
			return nil, fmt.Errorf("config: %s is %s, the mask `herald config` prints in place of a secret: set the real token", t.Source, t.Secret)
		}
		if prev, ok := seen[t.Secret]; ok {
			return nil, fmt.Errorf("config: the token of %s repeats the one of %s", t.Source, prev)
		}
		seen[t.Secret] = t.Source
	}
	return out, nil
}

// minTokenBytes is the length below which a token gets a warning: 16
// random bytes are beyond guessing through the write API's rate limit,
// while a word or a short phrase is not.
const minTokenBytes = 16

// TokenWarnings are the warnings about tokens, for the caller to log at
// start-up like Load's: one for each token shorter than minTokenBytes,
// named by its source, never shown. A short token still works (test
// set-ups use them); the warning says how to make a better one.
func TokenWarnings(tokens []Token) []string {
	var out []string
	for _, t := range tokens {
		if len(t.Secret) < minTokenBytes {
			out = append(out, fmt.Sprintf(
				"config: the token of %s is shorter than %d bytes, short enough to be guessed; use a random one such as `openssl rand -hex 24` prints", t.Source, minTokenBytes))
		}
	}
	return out
}

// masked reports whether a secret is nothing but the asterisks of the
// mask Print writes: a printed configuration fed back as it is would
// otherwise make "****" a token anyone could send.
func masked(secret string) bool {
	return secret != "" && strings.Trim(secret, "*") == ""
}

// parseTokenList reads api.tokens: rw:TOKEN or ro:TOKEN entries separated
// by commas. An entry's source is its position counted from 0, as list
// positions are everywhere else (api.tokens[0] is the first); empty
// entries are skipped and not counted.
func parseTokenList(s string) ([]Token, error) {
	var out []Token
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		t, err := parseToken(entry, "api.tokens["+strconv.Itoa(len(out))+"]")
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// parseTokenFile reads one rw:TOKEN or ro:TOKEN per line.
func parseTokenFile(path string, data []byte) ([]Token, error) {
	var out []Token
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		t, err := parseToken(text, path+":"+strconv.Itoa(line))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config: api.tokens_file %s: %w", path, err)
	}
	return out, nil
}

func parseToken(entry, source string) (Token, error) {
	mode, secret, ok := strings.Cut(entry, ":")
	if !ok || (mode != "rw" && mode != "ro") {
		return Token{}, fmt.Errorf("config: %s: must be written rw:TOKEN or ro:TOKEN", source)
	}
	if secret == "" || strings.ContainsAny(secret, " \t\r\n,") {
		return Token{}, fmt.Errorf("config: %s: the token must be non-empty, without spaces or commas", source)
	}
	return Token{Secret: secret, ReadOnly: mode == "ro", Source: source}, nil
}
