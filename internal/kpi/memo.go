package kpi

import "maps"
import "sync"
import "time"

import "github.com/google/uuid"

// The dashboards' pre-aggregates, kept in memory per tenant and span of
// months, each valid for one figures version (kpi_state.figures_version,
// bumped in every transaction that writes figures, so a memo can never
// serve figures older than the version a request read; with several
// server instances each keeps its own). Account attributes (key status,
// KAM, segment, names) are never memoised: they belong to other areas and
// are read fresh on every request.
//
//   - figures: each programme account's figures over the span, added to
//     lazily as accounts join the programme;
//   - revenueAt: every account's revenue at a month (the latest figure of
//     the RetentionWindow months ending there), for the retention of the
//     accounts outside the programme: the part of a dashboard that needs
//     every account's rows.
//
// The revenue shares need every account's revenue too: that is kept in
// the database (account/revenue.go, account.Tally), not memoised here.

// Bounds of the memos; a full memo is emptied. A figure takes about 250
// bytes, a revenue entry about 50 per account.
const (
	figuresBudget = 400_000 // figures in the figures memo, about 100 MB
	revenueLimit  = 512     // months in the revenue memo
)

type spanKey struct {
	tenant   uuid.UUID
	from, to time.Time
}

// figuresMemo holds figures by account. Entries are never changed once
// stored (adding accounts stores a new entry), so readers need no lock.
type figuresMemo struct {
	mu      sync.Mutex
	entries map[spanKey]figuresEntry
	size    int // figures held
}

type figuresEntry struct {
	version   int64
	byAccount map[uuid.UUID][]Figure
	size      int
}

func (m *figuresMemo) get(k spanKey, version int64) map[uuid.UUID][]Figure {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[k]; ok && e.version == version {
		return e.byAccount
	}
	return nil
}

// add stores figures of more accounts (an empty slice for an account
// without figures), keeping what the entry for version holds already.
func (m *figuresMemo) add(k spanKey, version int64, more map[uuid.UUID][]Figure) map[uuid.UUID][]Figure {
	m.mu.Lock()
	defer m.mu.Unlock()
	merged, size := map[uuid.UUID][]Figure{}, 0
	if e, ok := m.entries[k]; ok {
		if e.version == version {
			maps.Copy(merged, e.byAccount)
			size = e.size
		}
		m.size -= e.size
		delete(m.entries, k)
	}
	maps.Copy(merged, more)
	for _, figs := range more {
		size += len(figs)
	}
	if m.entries == nil || m.size+size > figuresBudget {
		m.entries, m.size = map[spanKey]figuresEntry{}, 0
	}
	m.entries[k] = figuresEntry{version: version, byAccount: merged, size: size}
	m.size += size
	return merged
}

// versionedMemo holds one value per tenant and span of months, valid for
// one figures version: revenueAt (every account's revenue at a month) and
// retention (every account's retention over a period, OtherAccounts.All).
type versionedMemo[V any] struct {
	mu      sync.Mutex
	entries map[spanKey]versioned[V]
}

type versioned[V any] struct {
	version int64
	v       V
}

func (m *versionedMemo[V]) get(k spanKey, version int64) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[k]
	return e.v, ok && e.version == version
}

func (m *versionedMemo[V]) put(k spanKey, version int64, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil || len(m.entries) >= revenueLimit {
		m.entries = map[spanKey]versioned[V]{}
	}
	m.entries[k] = versioned[V]{version: version, v: v}
}
