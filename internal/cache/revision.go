package cache

import "crypto/rand"

// newRevision returns a fresh revision token. 26 base32 characters carry
// 130 random bits, so two tokens never collide in practice, which is what
// makes a lost or replaced token safe.
func newRevision() string {
	return rand.Text()
}
