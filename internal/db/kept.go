package db

import "container/list"
import "context"
import "sync"

import "github.com/google/uuid"

// A tenant's data version: DB.Tx adds one to tenants.data_version just
// before the COMMIT of every transaction that wrote (migration 00034), so
// a transaction that reads version v sees every write up to v. A request's
// transaction (RequestTx) reads it in the round trip of its BEGIN. Parts
// of a page that are the same for every viewer of a tenant until something
// in the tenant is written (the scoring configuration, the kept tallies,
// the concentration's reads, the KAMs, the 2×2) are kept in the process's
// memory under (tenant, part, version) and served from there while the
// version stays the same (issue 19: each such read cost PostgreSQL a
// statement on every page view). Another server process sees the same
// version, so a write through one is seen by all.

// bumpVersionSQL is the statement that adds one to the scope's tenant's
// data version when the transaction wrote (has a transaction id): a
// read-write transaction that wrote nothing writes nothing here either.
// On Citus a write routed to a worker leaves the coordinator without a
// transaction id (tested: the conditional bump never fired), so there the
// condition is left out and every read-write transaction of a tenant
// bumps; a request's read-only one never does.
func (d *DB) bumpVersionSQL() string {
	if d.plain {
		return "UPDATE tenants SET data_version = data_version + 1 WHERE id = $1 AND pg_current_xact_id_if_assigned() IS NOT NULL"
	}
	return "UPDATE tenants SET data_version = data_version + 1 WHERE id = $1"
}

// readVersionSQL reads the tenant's data version.
const readVersionSQL = "SELECT data_version FROM tenants WHERE id = $1"

// keptParts is how many parts a process keeps (least recently used
// first out): a few parts per tenant page, for the tenants being read.
const keptParts = 1024

// Kept is the tenant-wide part of a page named part (with its inputs in
// the name, e.g. the filter or the month), read by the reads queue
// queues in r: when ctx's request transaction for s read the tenant's
// data version and the process keeps part under that version, the kept
// value, with nothing queued; else queue's result, kept once r is sent
// (its scans have run). Outside a request, or for a tenant whose version
// could not be read, it only queues. The value is shared between
// requests: callers read it and never change it (slices are clipped, so
// an append copies). Never for anything that depends on the person
// reading (row-level security or a filter of theirs).
func Kept[T any](ctx context.Context, d *DB, s Scope, r *Reads, part string, queue func(*Reads) *T) *T {
	rt := requestTx(ctx, d, s)
	if rt == nil || !rt.versioned || d.kept == nil {
		return queue(r)
	}
	key := keptKey{tenant: s.TenantID, part: part}
	if v, ok := d.kept.get(key, rt.version); ok {
		out := v.(T)
		return &out
	}
	out, version := queue(r), rt.version
	r.sent = append(r.sent, func() { d.kept.put(key, version, *out) })
	return out
}

type keptKey struct {
	tenant uuid.UUID
	part   string
}

type keptEntry struct {
	key     keptKey
	version int64
	value   any
}

// keptCache is a bounded map of parts, least recently used out first.
type keptCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *keptEntry, most recently used first
	byKey map[keptKey]*list.Element
}

func newKeptCache(max int) *keptCache {
	return &keptCache{max: max, order: list.New(), byKey: map[keptKey]*list.Element{}}
}

// get is the value kept for key under version exactly.
func (c *keptCache) get(key keptKey, version int64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok || el.Value.(*keptEntry).version != version {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*keptEntry).value, true
}

// put keeps value for key under version, unless a later version of it is
// kept already (a request that began before a write may finish after one
// that began after it).
func (c *keptCache) put(key keptKey, version int64, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		e := el.Value.(*keptEntry)
		if e.version > version {
			return
		}
		e.version, e.value = version, value
		c.order.MoveToFront(el)
		return
	}
	c.byKey[key] = c.order.PushFront(&keptEntry{key: key, version: version, value: value})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*keptEntry).key)
	}
}
