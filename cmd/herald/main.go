// Command herald is Herald's single binary: the feed server and the tools
// around it.
//
//	herald [serve] [flags]      run the server (the default)
//	herald import [flags] PATH… import articles from files and folders
//	herald config [flags]       print the effective configuration, secrets masked
//	herald migrate up|status    apply or list schema migrations of database_url
//	herald copy --from URL --to URL  copy every article between stores
//	herald version              print the version
//	herald healthcheck [flags]  exit 0 when the local server answers /healthz
//
// Every subcommand takes the configuration flags (`herald serve -h` lists
// them); configuration comes from defaults < config file < HERALD_*
// environment < flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time by scripts/build.sh.
var version = "dev"

func main() {
	// A hang-up stops the server gracefully too: Herald has no
	// configuration to reload, and dying on it would cut requests off.
	// Unless it was started to ignore hang-ups (nohup): then it still
	// does, since Notify would turn an ignored signal back on.
	signals := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		signals = append(signals, syscall.SIGHUP)
	}
	ctx, stop := signal.NotifyContext(context.Background(), signals...)
	defer stop()
	go func() {
		// The first signal starts a graceful stop; restoring the default
		// handling makes a second one end the process at once, for an
		// operator who will not wait out server.shutdown_grace.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	sub := "serve"
	switch {
	case len(args) > 0 && (args[0] == "-version" || args[0] == "--version"):
		sub, args = "version", args[1:]
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		sub, args = args[0], args[1:]
	}
	var err error
	switch sub {
	case "serve":
		err = runServe(ctx, args, environ, stdout, stderr)
	case "import":
		err = runImport(ctx, args, environ, stdout, stderr)
	case "config":
		err = runConfig(args, environ, stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, args, environ, stdout, stderr)
	case "copy":
		err = runCopy(ctx, args, environ, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "herald", version)
	case "healthcheck":
		err = runHealthcheck(ctx, args, environ, stderr)
	case "help":
		usage(stdout)
	default:
		fmt.Fprintf(stderr, "herald: unknown command %q\n\n", sub)
		usage(stderr)
		return 2
	}
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "herald:", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  herald [serve] [flags]       run the feed server (the default command)
  herald import [flags] PATH…  import articles from files and folders: .txt, .md, .json
                               and RSS, Atom or JSON feeds
  herald config [flags]        print the effective configuration (secrets masked)
  herald migrate up|status [flags]
                               apply pending schema migrations, or list them, on database_url
  herald copy --from DBURL --to DBURL [flags]
                               copy every article between stores (idempotent): --from is
                               only read and must be migrated already, --to is migrated
                               first (sqlite:PATH or postgres://…)
  herald version               print the version
  herald healthcheck [flags]   exit 0 when the server at -addr answers /healthz

Flags are the configuration keys and come before any PATH; "herald -h" lists them.
`)
}
