package db_test

import "errors"
import "fmt"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

func TestFieldErrorsText(t *testing.T) {
	fe := db.FieldErrors{}
	fe.Text("empty", "", 5, "missing", "long")
	fe.Text("five", "ééééé", 5, "missing", "long") // five characters (ten bytes): fits
	fe.Text("six", "abcdef", 5, "missing", "long")
	if len(fe) != 2 || fe["empty"] != "missing" || fe["six"] != "long" {
		t.Fatalf("got %v, want empty: missing, six: long", fe)
	}
	fe.Text("six", "", 5, "missing", "long")
	if fe["six"] != "long" {
		t.Errorf("a second message replaced the first: %v", fe)
	}
}

func TestFound(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range []struct {
		err   error
		found bool
		fails error
	}{{nil, true, nil}, {pgx.ErrNoRows, false, nil}, {fmt.Errorf("scan: %w", pgx.ErrNoRows), false, nil}, {boom, false, boom}} {
		found, err := db.Found(c.err)
		if found != c.found || !errors.Is(err, c.fails) || (c.fails == nil) != (err == nil) {
			t.Errorf("Found(%v) = %v, %v; want %v, %v", c.err, found, err, c.found, c.fails)
		}
	}
}
