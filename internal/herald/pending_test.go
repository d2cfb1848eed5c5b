package herald

import "testing"

// TestPendingScopes: an invalidation settles what was pending when its
// mark was taken, not a scope added again since; the bound leaves out new
// scopes only.
func TestPendingScopes(t *testing.T) {
	var p PendingScopes
	a, b, c := Scope{Kind: ScopeTag, Slug: "a"}, Scope{Kind: ScopeTag, Slug: "b"}, Scope{Kind: ScopeTag, Slug: "c"}
	p.Settle([]Scope{a}, p.Mark()) // empty: nothing to do
	if dropped := p.Add([]Scope{a, b}, 2); dropped != 0 || p.Len() != 2 {
		t.Fatalf("dropped %d, len %d; want 0 and 2", dropped, p.Len())
	}
	if dropped := p.Add([]Scope{a, c}, 2); dropped != 1 || p.Len() != 2 {
		t.Fatalf("at the bound: dropped %d, len %d; want c left out and 2", dropped, p.Len())
	}
	scopes, mark := p.Snapshot()
	if len(scopes) != 2 {
		t.Fatalf("snapshot %v, want a and b", scopes)
	}
	p.Add([]Scope{a}, 0) // a write touches a again after the snapshot
	p.Settle(scopes, mark)
	if got, _ := p.Snapshot(); len(got) != 1 || got[0] != a || p.Len() != 1 {
		t.Fatalf("after settling the snapshot: %v (len %d), want only a, added since", got, p.Len())
	}
	p.Settle([]Scope{a}, p.Mark())
	if p.Len() != 0 {
		t.Fatalf("len %d after settling everything, want 0", p.Len())
	}
}
