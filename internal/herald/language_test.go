package herald

import (
	"testing"
	"time"
)

// TestValidLanguage: a valid BCP 47 tag in any case is accepted; one that
// is not well-formed, uses an underscore or has a subtag the registry
// does not know is refused.
func TestValidLanguage(t *testing.T) {
	good := []string{"en", "pt-BR", "pt-br", "EN-us", "de", "zh-Hant-TW", "sr-Latn", "es-419", "de-CH-1901", "en-US-u-ca-gregory", "x-private", "yue-HK"}
	bad := []string{
		"", "a", "en-x", "en-a-b", "zz-zz-zz-zz", "en_US", "English", "xx", "english language", "en-", "-en", "en--US",
		"en-US-US", "123", "en\uffff", "ën",
	}
	for _, s := range good {
		if !ValidLanguage(s) {
			t.Errorf("ValidLanguage(%q)=false, want true", s)
		}
	}
	for _, s := range bad {
		if ValidLanguage(s) {
			t.Errorf("ValidLanguage(%q)=true, want false", s)
		}
	}
}

// TestPrepareLanguage: a refused tag is an EInvalid error on language; an
// accepted one is stored as written, not in its canonical case, so that
// articles stored before render as they did.
func TestPrepareLanguage(t *testing.T) {
	for _, lang := range []string{"a", "en-x", "en-a-b", "zz-zz-zz-zz"} {
		a := Article{Title: "x", Language: lang}
		err := a.Prepare("https://example.com", time.Now(), Limits{})
		want := `language must be a BCP 47 language tag such as "en" or "pt-BR", got "` + lang + `"`
		if ErrorCode(err) != EInvalid || ErrorField(err) != "language" || ErrorMessage(err) != want {
			t.Errorf("Prepare with language %q: err=%v (field %q), want EInvalid on language: %s", lang, err, ErrorField(err), want)
		}
	}
	for _, lang := range []string{"en-us", "PT-br", "zh-hant-tw"} {
		a := Article{Title: "x", Language: " " + lang + " "}
		if err := a.Prepare("https://example.com", time.Now(), Limits{}); err != nil {
			t.Fatalf("Prepare with language %q: %v", lang, err)
		}
		if a.Language != lang {
			t.Errorf("language=%q, want %q as written", a.Language, lang)
		}
	}
}
