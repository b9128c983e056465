package importer

import "context"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"

// Field is one thing a column of a file can fill.
type Field struct {
	// Key names the field in mappings, saved mappings and (for kinds with
	// a fixed header) the file's header. Stable: saved mappings keep it.
	Key string
	// Label is the field for people (the mapping form, error messages).
	Label string
	// Aliases are other header names that mean this field, compared after
	// HeaderKey (so "Account Name" matches "account_name"). CRM presets
	// add more of them.
	Aliases []string
	// Hint says what the column holds, for the import's help.
	Hint string
	// Required fields must be mapped (or, with a fixed header, present).
	Required bool
}

// Target is the table an import writes: its new records with one INSERT,
// its changed ones with one UPDATE per commit. The pipeline adds
// tenant_id (first) itself.
type Target struct {
	Table string
	// Columns are written in this order; each Change's Values match them.
	Columns []string
	// Key finds a record after tenant_id (the primary key, or a unique
	// key of the table); its columns are never updated.
	Key []string
	// Versioned tables have version and updated_at: an update checks the
	// version the plan read (Change.Version), then sets version + 1 and
	// the commit's time.
	Versioned bool
	// InsertOrder is the SQL ORDER BY (over Columns) new records are
	// inserted in; Key when empty. Every index of the table is paid
	// per row: inserting in the order most of them sort by keeps each
	// index's insertions on neighbouring pages (accounts: by name, which
	// eight of its indexes sort by, halves the INSERT's CPU).
	InsertOrder string
}

// Actor is who imports and when.
type Actor struct {
	db.Scope
	Role auth.Role
	Now  time.Time
}

// Kind describes one import: its fields, who may import, how its rows
// are planned against the tenant's data and where they are written. The
// pipeline does the rest (upload, reading, mapping, preview, commit,
// audit). See the package documentation for how to add one.
type Kind struct {
	// Name keys the kind's uploads and saved mappings ("accounts").
	Name string
	// Entity is the audit log's entity for each written record
	// ("account"); each gets an import_create or import_update event.
	Entity string
	Fields []Field
	// FixedHeader kinds name their columns in the header (field keys or
	// aliases): unknown columns are a problem and there is no mapping
	// step. Other kinds are mapped by the person, starting from a guess.
	FixedHeader bool
	// Presets are other systems' standard exports this kind reads (CRM
	// account or contact exports): detected from a file's header and
	// offered on the mapping step (see Preset).
	Presets []Preset
	// CheckMapping adds rules about which fields must be mapped together
	// (has reports whether a field is mapped); it returns a message for
	// the person, or "".
	CheckMapping func(has func(key string) bool) string
	// MaxBytes and MaxRows bound a file (DefaultMaxBytes and
	// DefaultMaxRows when zero).
	MaxBytes int
	MaxRows  int
	// CanImport says whether role may import at all (nil: every member;
	// Plan then decides row by row).
	CanImport func(role auth.Role) bool
	// Prepare, when set, runs first in the committing transaction (for
	// example to lock the kind's table against other writers).
	Prepare func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) error
	// Plan reads rows against the tenant's data in tx and fills p: a
	// Create, Update or Unchanged for each good row, a Fail for each
	// problem. It must not write: the preview runs it too.
	Plan   func(ctx context.Context, tx pgx.Tx, a Actor, rows []Row, p *Plan) error
	Target Target
	// Keep, when set, keeps what is derived from the records the commit
	// writes (the accounts' kept tallies, their revenue): it runs in the
	// committing transaction before the write, with the entity ids of the
	// records about to be created or updated, and returns what to run
	// after it.
	Keep func(ctx context.Context, tx pgx.Tx, a Actor, ids []string) (after func() error, err error)
	// Events, when set, are the webhook events announcing each created
	// and updated record (internal/webhook), written with the records.
	Events *Events
}

// Events name a kind's webhook events; the record's audit states are
// their data.
type Events struct {
	Object           string // "account"
	Created, Updated string // event types; "" sends none
}

// Limits of a file, unless a kind says otherwise.
const (
	DefaultMaxBytes = 10 << 20
	DefaultMaxRows  = 250_000
	MaxColumns      = 100
)

func (k *Kind) maxBytes() int {
	if k.MaxBytes > 0 {
		return k.MaxBytes
	}
	return DefaultMaxBytes
}

// MaxMiB is the size limit in MiB, for messages and help.
func (k *Kind) MaxMiB() int { return k.maxBytes() >> 20 }

func (k *Kind) maxRows() int {
	if k.MaxRows > 0 {
		return k.MaxRows
	}
	return DefaultMaxRows
}

// MaxRowCount is the row limit, for help.
func (k *Kind) MaxRowCount() int { return k.maxRows() }

// Field returns the field named key.
func (k *Kind) Field(key string) (Field, bool) {
	for _, f := range k.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Allowed reports whether role may import this kind.
func (k *Kind) Allowed(role auth.Role) bool { return k.CanImport == nil || k.CanImport(role) }
