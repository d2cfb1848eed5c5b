// Package config loads and validates Herald's configuration.
//
// The documented defaults live in defaults.yaml, which is embedded in the
// binary and read by the loader itself, so the documentation (the comment
// above each key) and the behaviour cannot drift apart. Layers override one
// another in this order:
//
//	defaults.yaml < config file (-config, HERALD_CONFIG) < HERALD_* environment < flags
//
// Load is a pure function of its arguments (flags and environment are passed
// in), so tests and other commands can call it freely.
package config
