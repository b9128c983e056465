package main

import "math/rand/v2"
import "os"
import "strings"
import "testing"
import "time"

import "pareto/internal/bench"

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 20000: "20,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestScoreValueChangesEachPass(t *testing.T) {
	const accounts = 7
	for i := range 100 {
		v := scoreValue(i, accounts)
		if v < 1 || v > 10 {
			t.Fatalf("scoreValue(%d) = %d, want 1..10", i, v)
		}
		// The same account (i and i+accounts) gets a different score on
		// the next pass, so a save is never a no-op.
		if w := scoreValue(i+accounts, accounts); w == v {
			t.Fatalf("scoreValue(%d) = scoreValue(%d) = %d", i, i+accounts, v)
		}
	}
}

func TestRateFor(t *testing.T) {
	if got := rateFor("login", 150); got != 10 {
		t.Errorf("login rate %v, want 10", got)
	}
	if got := rateFor("login", 5); got != 5 {
		t.Errorf("login rate capped %v, want 5", got)
	}
	if got := rateFor("shortlist first page", 40); got != 40 {
		t.Errorf("shortlist rate %v, want 40", got)
	}
}

func TestAccountsCSV(t *testing.T) {
	csv := string(accountsCSV("Bigco", 3, rand.New(rand.NewPCG(1, 2))))
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "Bigco 00000,BIG-000000,") {
		t.Fatalf("csv:\n%s", csv)
	}
}

func TestProcessCPU(t *testing.T) {
	before := processCPU(os.Getpid())
	// Burn CPU until the reading grows (a clock tick is 10 ms). Not a
	// fixed 100 ms of wall time: on the shared machine under load 40 that
	// got less than one tick of CPU and the reading stayed put.
	after := before
	for start := time.Now(); after <= before && time.Since(start) < 30*time.Second; after = processCPU(os.Getpid()) {
		for range 1000 {
			_ = strings.Repeat("x", 1000)
		}
	}
	if after <= before {
		t.Errorf("CPU time did not grow in 30 s of busy work: %v → %v", before, after)
	}
	if got := processCPU(-1); got != 0 {
		t.Errorf("no such process: %v", got)
	}
	if strings.Count(bench.LoadAverage(), " ") != 2 {
		t.Errorf("load average %q", bench.LoadAverage())
	}
}
