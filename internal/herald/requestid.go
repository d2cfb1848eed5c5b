package herald

import "context"

type requestIDKey struct{}

// WithRequestID returns ctx carrying id, the X-Request-ID of the HTTP
// request it serves, so that a log line written below the HTTP layer can
// name the request it belongs to.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
