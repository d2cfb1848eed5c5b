package postgres

import (
	"context"
	"strings"
	"testing"
)

// TestRedactHidesEveryPassword: a password in the user info or in a query
// parameter never reaches a message, whatever the parameter's case.
func TestRedactHidesEveryPassword(t *testing.T) {
	for _, u := range []string{
		"postgres://herald:s3cretpw@db.example:5432/herald",
		"postgres://herald@db.example/herald?sslmode=require&password=s3cretpw",
		"postgresql://db.example/herald?PASSWORD=s3cretpw&application_name=x",
		"postgres://db.example/herald?sslpassword=s3cretpw&sslkey=/k.pem",
	} {
		got := Redact(u)
		if strings.Contains(got, "s3cretpw") || !strings.Contains(got, "db.example") {
			t.Errorf("Redact(%q) = %q, want the host without the password", u, got)
		}
	}
	// Opening a database that does not answer reports the URL redacted.
	_, err := Open(context.Background(), "postgres://herald@127.0.0.1:1/herald?connect_timeout=1&password=s3cretpw", Options{})
	if err == nil || strings.Contains(err.Error(), "s3cretpw") || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("Open error %v, want one naming the host without the password", err)
	}
}
