package db_test

import "testing"

import "pareto/internal/db"

// TestKeptCache: a part is served only for the version it was kept
// under; an older version does not replace a newer one (a request that
// began before a write and ends after a later one's); the least recently
// used part goes first when the cache is full.
func TestKeptCache(t *testing.T) {
	c := db.NewKeptCache(2)
	c.Put("a", 2, "a2")
	c.Put("a", 1, "a1")
	if v, ok := c.Get("a", 2); !ok || v != "a2" {
		t.Errorf("a at 2: %v %v, want a2 (not replaced by version 1)", v, ok)
	}
	if _, ok := c.Get("a", 1); ok {
		t.Error("a at 1: served, want not kept")
	}
	c.Put("a", 3, "a3")
	if _, ok := c.Get("a", 2); ok {
		t.Error("a at 2 after 3 was kept: served")
	}
	c.Put("b", 1, "b1")
	c.Get("a", 3) // a used last: b goes first
	c.Put("c", 1, "c1")
	if _, ok := c.Get("b", 1); ok {
		t.Error("b still kept in a cache of 2 after c, a used since")
	}
	for _, p := range []string{"a", "c"} {
		if _, ok := c.Get(p, map[string]int64{"a": 3, "c": 1}[p]); !ok {
			t.Errorf("%s not kept", p)
		}
	}
}
