package auth

import "context"
import "errors"
import "sync"
import "testing"
import "time"

// TestHasherBoundsConcurrency: 20 hashes at once on a 2-slot hasher never
// run more than 2 at a time, and all of them finish (they queue).
func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(2, 64, time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := h.Hash(context.Background(), "some-password-for-the-test")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := h.Peak(); p < 1 || p > 2 {
		t.Fatalf("peak concurrent hashes %d, want 1..2", p)
	}
}

// TestHasherQueueDeadline: with every slot taken, a caller waits MaxWait
// and gets ErrBusy; with the queue full it gets ErrBusy at once.
func TestHasherQueueDeadline(t *testing.T) {
	h := NewHasher(1, 1, 50*time.Millisecond)
	h.slots <- struct{}{} // the one slot is busy
	start := time.Now()
	if _, err := h.Hash(context.Background(), "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("got %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Fatalf("gave up after %s, before MaxWait", waited)
	}
	h.queue <- struct{}{}
	h.queue <- struct{}{} // queue (1) + running (1) full
	if _, err := h.Verify(context.Background(), dummyHash, "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("full queue: got %v, want ErrBusy", err)
	}
}
