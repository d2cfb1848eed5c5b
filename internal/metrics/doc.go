// Package metrics exports Herald's Prometheus metrics: HTTP requests, the
// feed read path's counters, render, store and cache latencies and errors,
// and the cache circuit breaker's state. It is the only importer of the
// Prometheus client.
//
// It measures through decorators (Store, Cache, Renderer wrap the real
// adapters) and counter functions reading counters that already exist, so
// the code it measures does not know about it. Every metric lives in the
// Registry of one Metrics value; nothing is registered globally.
package metrics
