package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/herald-feeds/herald/config"
	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/importer"
)

// errHelp ends a subcommand after -h printed the usage and the flags: a
// successful run, as with Go's own flag handling.
var errHelp = errors.New("help requested")

// loadConfig loads the configuration for a subcommand and logs its warnings.
func loadConfig(args, environ []string, stderr io.Writer) (*config.Config, []string, error) {
	cfg, rest, warnings, err := config.LoadArgs(args, environ)
	if errors.Is(err, flag.ErrHelp) {
		usage(stderr)
		fmt.Fprintln(stderr, "\nFlags, taken by every command (each also HERALD_ and the key as an environment variable):")
		config.Usage(stderr)
		return nil, nil, errHelp
	}
	if err != nil {
		return nil, nil, err
	}
	// Through the configured logger, so that with log.format json they
	// are JSON lines like every other.
	log := cfg.Logger(stderr)
	for _, w := range warnings {
		log.Warn(w)
	}
	return cfg, rest, nil
}

func runServe(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig(args, environ, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", rest)
	}
	log := cfg.Logger(stderr)
	cache.RouteClientLogs(log)
	// A token file that cannot be read is refused where the tokens are
	// used; here only their strength is told, once, by the server (not by
	// every healthcheck).
	if tokens, err := cfg.Tokens(); err == nil {
		for _, w := range config.TokenWarnings(tokens) {
			log.Warn(w)
		}
	}
	for _, w := range cfg.WebSubWarnings() {
		log.Warn(w)
	}
	setMemoryLimit(log, memlimit.FromCgroup)
	m := NewMain(cfg, log)
	if err := m.Bind(); err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		m.Close(context.Background())
		return err
	}
	if err := m.Listen(); err != nil {
		m.Close(context.Background())
		return err
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Log.Format == "json" {
		// A log collector reading JSON gets the announcement as a line
		// of its own kind, not two lines of text among the JSON.
		log.Info("serving", "site", cfg.Site.Title, "addr", m.Addr(), "base_url", base)
	} else {
		fmt.Fprintf(stdout, "Herald is serving %s on %s\n", cfg.Site.Title, m.Addr())
		fmt.Fprintf(stdout, "  feeds: %s/feed.rss  %s/feed.atom  %s/feed.json\n", base, base, base)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- m.Serve() }()
	select {
	case err := <-serveErr:
		m.Close(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("stopping: no new connections; finishing the requests in flight", "grace", cfg.Server.ShutdownGrace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownGrace)
	defer cancel()
	if err := m.Close(shutdownCtx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

func runImport(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	cfg, paths, err := loadConfig(args, environ, stderr)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return errors.New("import needs at least one file or folder: herald import PATH…")
	}
	for _, p := range paths {
		// Flags end at the first path; one after it would be taken for a
		// file, and the import would go to the default store.
		if strings.HasPrefix(p, "-") {
			return fmt.Errorf("import: %q comes after a path; flags go first: herald import [flags] PATH… (a file named so: ./%s)", p, p)
		}
	}
	log := cfg.Logger(stderr)
	cache.RouteClientLogs(log)
	if localBase(cfg.BaseURL) {
		// The articles without a url of their own keep the one derived
		// now: on a store readers reach, that is a link to nowhere.
		log.Warn("base_url is a local address: articles without a url get links under it, kept until they are written again; set base_url (HERALD_BASE_URL) as the server has it", "base_url", cfg.BaseURL)
	}
	m := NewMain(cfg, log)
	m.serves = false
	defer m.Close(context.Background())
	if err := m.Open(ctx); err != nil {
		return err
	}
	_, err = importer.Run(ctx, paths, m.Articles, stdout, importer.Options{})
	return err
}

func runConfig(args, environ []string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig(args, environ, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("config takes no arguments, got %q", rest)
	}
	// What serve would refuse, config refuses too: the files it names.
	if _, err := preflight(cfg); err != nil {
		return err
	}
	return cfg.Print(stdout)
}

// runHealthcheck lets a container health check probe the server without a
// shell or curl in the image.
func runHealthcheck(ctx context.Context, args, environ []string, stderr io.Writer) error {
	cfg, rest, err := loadConfig(args, environ, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("healthcheck takes no arguments, got %q", rest)
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("healthcheck: addr %q: %w", cfg.Addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %s", resp.Status)
	}
	return nil
}

// localBase reports whether base is an address of this machine
// (localhost, a loopback IP), which no reader elsewhere can follow.
func localBase(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}
