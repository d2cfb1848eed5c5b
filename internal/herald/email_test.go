package herald

import (
	"testing"
	"time"
)

// TestValidEmail: only a bare ASCII addr-spec with a dotted host name is
// an address feeds publish; display names, comments, quoting, doubled
// dots, domain literals and non-ASCII addresses are refused.
func TestValidEmail(t *testing.T) {
	good := []string{
		"grace@example.com", "first.last+tag@mail.example.co.uk", "o'brien@example.ie", "A@EXAMPLE.COM",
		"x@xn--exmple-cua.com", "a!#$%&'*+/=?^_`{|}~-@example.com", "a@b-c.example",
	}
	bad := []string{
		"", "nope", "@example.com", "grace@", "x@@example.com", "a,b@example.com", "(c)a@.com", "a..b@example..com",
		"ünï@exämple.com", "grace@exämple.com", "Grace <grace@example.com>", "<grace@example.com>",
		"grace@example.com (Grace)", "(Grace) grace@example.com", `"grace hopper"@example.com`, `"grace"@example.com`,
		" grace@example.com", "grace@example.com ", "grace@localhost", "grace@[192.0.2.1]", "grace@example.com.",
		".grace@example.com", "grace.@example.com", "grace@.example.com", "grace@example..com", "grace@exa mple.com",
		"a@b@example.com", "grace@example.com,ada@example.com",
	}
	for _, s := range good {
		if !ValidEmail(s) {
			t.Errorf("ValidEmail(%q)=false, want true", s)
		}
	}
	for _, s := range bad {
		if ValidEmail(s) {
			t.Errorf("ValidEmail(%q)=true, want false", s)
		}
	}
}

// TestPrepareRefusesEmail: an author email the rule refuses is an
// EInvalid error on authors[i].email saying what was sent.
func TestPrepareRefusesEmail(t *testing.T) {
	for _, email := range []string{"x@@example.com", "a,b@example.com", "(c)a@.com", "a..b@example..com", "ünï@exämple.com", "Grace <grace@example.com>"} {
		a := Article{Title: "x", Authors: []Author{{Name: "Ada", Email: "ada@example.com"}, {Name: "Grace", Email: email}}}
		err := a.Prepare("https://example.com", time.Now(), Limits{})
		want := `authors[1].email must be a plain email address such as "grace@example.com" (ASCII, no name or comment), got "` + email + `"`
		if ErrorCode(err) != EInvalid || ErrorField(err) != "authors[1].email" || ErrorMessage(err) != want {
			t.Errorf("Prepare with email %q: err=%v (field %q), want EInvalid on authors[1].email: %s", email, err, ErrorField(err), want)
		}
	}
}
