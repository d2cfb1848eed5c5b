// Package httpserver is Herald's HTTP interface and the only package that
// imports Fiber: feed routes with conditional GET and content negotiation,
// the admin API for articles, health checks, and the one table that maps
// domain error codes to HTTP statuses.
//
// Handlers copy whatever they keep from *fiber.Ctx (fasthttp reuses its
// buffers after a handler returns) and pass c.UserContext() with a timeout
// to the layers below, never the Ctx itself.
package httpserver
