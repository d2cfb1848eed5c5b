// Package service holds Herald's two use cases between the HTTP layer and
// the adapters: Feeds answers a feed request from the cache or renders it
// once, and Articles validates and stores a publisher's writes and
// invalidates every feed they touch before returning.
//
// It depends only on the domain package's interfaces; cmd/herald wires in
// the store, cache and renderer.
package service
