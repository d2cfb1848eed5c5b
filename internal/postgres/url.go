package postgres

import (
	"errors"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// CheckURL reports why the store could not open its pool with the URL s
// (pgxpool.ParseConfig, as Open does: parameters such as pool_max_conns
// and sslmode included), or nil. The error does not repeat the URL, but
// may quote its password: a caller printing it hides that.
func CheckURL(s string) error {
	_, err := pgxpool.ParseConfig(s)
	if err == nil {
		return nil
	}
	msg := err.Error()
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		// "cannot parse `URL`: what (why)": keep what and why.
		if rest, ok := strings.CutPrefix(msg, "cannot parse `"); ok {
			if i := strings.Index(rest, "`: "); i >= 0 {
				msg = rest[i+len("`: "):]
			}
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = strings.ReplaceAll(msg, ue.Error(), ue.Err.Error())
	}
	return errors.New(msg)
}
