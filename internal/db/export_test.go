package db

// NewMigratorFS is NewMigrator with other migration files, for tests of
// migrations that are not the application's.
var NewMigratorFS = newMigrator

// KeptCache is the bounded map of kept parts, for its own test.
type KeptCache = keptCache

var NewKeptCache = newKeptCache

// Put and Get are put and get with a part name for the key.
func (c *keptCache) Put(part string, version int64, v any) { c.put(keptKey{part: part}, version, v) }
func (c *keptCache) Get(part string, version int64) (any, bool) {
	return c.get(keptKey{part: part}, version)
}
