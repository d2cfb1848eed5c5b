package sanitize

import (
	"strings"
	"testing"
)

func BenchmarkTextPrefix(b *testing.B) {
	body := strings.Repeat("<p>Lorem ipsum dolor sit amet, consectetur &amp; adipiscing elit.</p>\n", 20)
	b.ReportAllocs()
	for b.Loop() {
		TextPrefix(body, 300)
	}
}
