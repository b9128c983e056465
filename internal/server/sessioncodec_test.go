package server

import "maps"
import "testing"
import "time"

import "github.com/alexedwards/scs/v2"

func TestSessionCodecRoundTrip(t *testing.T) {
	deadline := time.Date(2026, 12, 6, 20, 15, 1, 123456789, time.UTC)
	values := map[string]any{sessUserID: "0b6c2a9e-1f0e-4c43-9f3a-2d1c7a2b9e10", sessTenantID: "t", sessRole: "admin",
		sessFlash: "Saved – “quoted” <b>ok</b>", "empty": ""}
	var c sessionCodec
	b, err := c.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != sessionCodecMagic {
		t.Fatalf("string values: want the binary form, got first byte %#x", b[0])
	}
	gotDeadline, got, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !gotDeadline.Equal(deadline) || !maps.Equal(got, values) {
		t.Fatalf("round trip: got %v %v, want %v %v", gotDeadline, got, deadline, values)
	}
	// The same values encode to the same bytes (keys in order).
	again, _ := c.Encode(deadline, maps.Clone(values))
	if string(again) != string(b) {
		t.Fatal("encoding is not deterministic")
	}
	// No values and a zero deadline survive too.
	b, _ = c.Encode(time.Time{}, map[string]any{})
	if d, v, err := c.Decode(b); err != nil || !d.IsZero() || len(v) != 0 {
		t.Fatalf("empty session: %v %v %v", d, v, err)
	}
}

// Sessions stored as gob before this codec (and any session holding a
// value that is not a string) are read and written as gob.
func TestSessionCodecGob(t *testing.T) {
	deadline := time.Now().Add(time.Hour).Truncate(time.Second)
	old, err := scs.GobCodec{}.Encode(deadline, map[string]any{sessUserID: "u1", sessRole: "kam"})
	if err != nil {
		t.Fatal(err)
	}
	var c sessionCodec
	d, v, err := c.Decode(old)
	if err != nil || !d.Equal(deadline) || v[sessUserID] != "u1" || v[sessRole] != "kam" {
		t.Fatalf("gob session: %v %v %v", d, v, err)
	}
	mixed := map[string]any{sessUserID: "u1", "count": 3}
	b, err := c.Encode(deadline, mixed)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] == sessionCodecMagic {
		t.Fatal("a non-string value must be stored as gob")
	}
	if _, v, err := c.Decode(b); err != nil || v["count"] != 3 || v[sessUserID] != "u1" {
		t.Fatalf("mixed session: %v %v", v, err)
	}
}

// Damaged data is an error, never a panic or a partial session.
func TestSessionCodecMalformed(t *testing.T) {
	var c sessionCodec
	b, _ := c.Encode(time.Now(), map[string]any{sessUserID: "0b6c2a9e", sessFlash: "hello"})
	for n := 1; n < len(b); n++ {
		if _, v, err := c.Decode(b[:n]); err == nil {
			t.Fatalf("decoding the first %d of %d bytes: no error (values %v)", n, len(b), v)
		}
	}
	if _, _, err := c.Decode(append(b, 'x')); err == nil {
		t.Fatal("trailing bytes: no error")
	}
	if _, _, err := c.Decode([]byte{sessionCodecMagic, 9}); err == nil {
		t.Fatal("unknown version: no error")
	}
	// A huge declared length must not allocate or read past the end.
	if _, _, err := c.Decode([]byte{sessionCodecMagic, sessionCodecVersion, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}); err == nil {
		t.Fatal("oversized length: no error")
	}
}
