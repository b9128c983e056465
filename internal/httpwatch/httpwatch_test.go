package httpwatch

import "bytes"
import "net/http"
import "net/http/httptest"
import "testing"

func TestWriter(t *testing.T) {
	// A body without a status: 200, Before once with 200, 5 bytes kept.
	rec := httptest.NewRecorder()
	var seen []int
	w := &Writer{ResponseWriter: rec, Copy: &bytes.Buffer{}, Before: func(s int) { seen = append(seen, s) }}
	_, _ = w.Write([]byte("hello"))
	_, _ = w.Write([]byte("!"))
	if w.Status != http.StatusOK || rec.Code != http.StatusOK || w.Bytes != 6 || w.Copy.String() != "hello!" {
		t.Fatalf("status %d (recorded %d), bytes %d, copy %q", w.Status, rec.Code, w.Bytes, w.Copy.String())
	}
	if len(seen) != 1 || seen[0] != http.StatusOK {
		t.Fatalf("Before saw %v, want [200]", seen)
	}
	// The first status counts; no copy unless asked.
	rec = httptest.NewRecorder()
	w = &Writer{ResponseWriter: rec}
	w.WriteHeader(http.StatusCreated)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("x"))
	if w.Status != http.StatusCreated || rec.Code != http.StatusCreated || w.Bytes != 1 {
		t.Fatalf("status %d (recorded %d), bytes %d", w.Status, rec.Code, w.Bytes)
	}
	if w.Unwrap() != rec {
		t.Fatal("Unwrap does not give the wrapped writer")
	}
}
