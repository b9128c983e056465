// Package httpwatch sees what a handler answers without changing it: the
// status, how many bytes, optionally a copy of the body and a hook run
// just before the status goes out. The server's request log, its health
// keeper and the API's idempotency keys and write hook all watch answers
// through its one Writer.
package httpwatch

import "bytes"
import "net/http"

// Writer passes a response through to ResponseWriter and keeps what it
// saw.
type Writer struct {
	http.ResponseWriter
	// Status is the status written, 0 until then (a body written without
	// one is 200).
	Status int
	// Bytes counts the body's bytes written.
	Bytes int
	// Copy, when set, keeps a copy of the body.
	Copy *bytes.Buffer
	// Before, when set, runs once just before the status is written.
	Before func(status int)
}

// WriteHeader notes the first status (running Before) and passes it on.
func (w *Writer) WriteHeader(status int) {
	if w.Status == 0 {
		w.Status = status
		if w.Before != nil {
			w.Before(status)
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write passes b on (after a 200 when no status was written), counting
// and copying it.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.Copy != nil {
		w.Copy.Write(b)
	}
	n, err := w.ResponseWriter.Write(b)
	w.Bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
