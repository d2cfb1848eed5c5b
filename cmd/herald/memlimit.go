package main

import (
	"errors"
	"log/slog"
	"math"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// setMemoryLimit gives the Go runtime a soft memory limit of 90% of the
// memory limit provider reports (the container's cgroup limit, when
// serving), so that a process whose caches and garbage near that limit
// collects harder instead of being killed by the kernel. GOMEMLIMIT in the
// environment takes precedence, AUTOMEMLIMIT sets another ratio, and
// AUTOMEMLIMIT=off leaves the runtime alone.
func setMemoryLimit(log *slog.Logger, provider memlimit.Provider) {
	limit, err := memlimit.Set(memlimit.WithProvider(provider), memlimit.WithLogger(slog.New(slog.DiscardHandler)))
	switch {
	case errors.Is(err, memlimit.ErrNoCgroup): // not Linux, or no cgroup: nothing to follow
	case err != nil:
		log.Warn("could not set the Go memory limit from the container's; running without one", "err", err)
	case limit != math.MaxInt64:
		log.Info("Go memory limit set from the container's", "gomemlimit_bytes", limit)
	}
}
