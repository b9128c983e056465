package importer

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "strings"
import "time"
import "unicode"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/internal/webhook"

// Store keeps uploads and saved mappings and runs previews and commits.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// CommitTimeout bounds each statement of a commit (a large file's
	// INSERT runs for seconds, longer than the pool's usual timeout).
	CommitTimeout time.Duration
	// AnalyzeAfter is the number of written records from which a commit
	// refreshes the planner's statistics of the table it wrote (ANALYZE,
	// in the same transaction, through app_analyze): without it the pages
	// read right after a large import are planned for the table as it was.
	// Zero never does. Not on Citus (its shards are analyzed one by one).
	AnalyzeAfter int
	// batched forces the multi-row VALUES writer used on Citus, so tests
	// run it on plain PostgreSQL too.
	batched bool
}

// NewStore returns a store on d.
func NewStore(d *db.DB) *Store {
	return &Store{DB: d, Now: time.Now, CommitTimeout: 5 * time.Minute, AnalyzeAfter: 10_000}
}

// ErrInvalid says a commit found problems: nothing was written. The
// error also carries db.FieldErrors{"file": …}; the Preview returned with
// it says what is wrong.
var ErrInvalid = errors.New("import has problems")

func invalid() error {
	return fmt.Errorf("%w: %w", ErrInvalid, db.FieldErrors{"file": "The file has problems; nothing was imported."})
}

// Preview is an upload read under a mapping and planned.
type Preview struct {
	File    *File
	Mapping Mapping
	*Plan
}

// Upload keeps a file for mapping, preview and commit and returns its
// id. Roles k does not allow get db.ErrForbidden; a file that cannot be
// read gets db.FieldErrors{"file": …}. Uploads older than a day are
// removed.
func (s *Store) Upload(ctx context.Context, sc db.Scope, role auth.Role, k *Kind, filename string, data []byte) (uuid.UUID, error) {
	if !k.Allowed(role) {
		return uuid.Nil, fmt.Errorf("import %s as %s: %w", k.Name, role, db.ErrForbidden)
	}
	if len(data) == 0 {
		return uuid.Nil, db.FieldErrors{"file": "Choose a CSV file."}
	}
	if _, err := k.Read(data); err != nil {
		return uuid.Nil, db.FieldErrors{"file": err.Error()}
	}
	var id uuid.UUID
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM imports WHERE tenant_id = $1 AND created_at < $2",
			sc.TenantID, s.Now().Add(-24*time.Hour)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO imports (tenant_id, id, kind, user_id, filename, data)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			sc.TenantID, uuid.New(), k.Name, sc.UserID, cleanName(filename), data).Scan(&id)
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("import: upload: %w", err)
	}
	return id, nil
}

// cleanName keeps a file name printable and within limits.Filename.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if r := []rune(strings.TrimSpace(s)); len(r) > limits.Filename {
		return string(r[:limits.Filename])
	}
	return strings.TrimSpace(s)
}

// load reads upload id of kind k (db.ErrNotFound when gone, of another
// kind or another tenant's).
func (s *Store) load(ctx context.Context, tx pgx.Tx, sc db.Scope, k *Kind, id uuid.UUID, lock bool) (*File, error) {
	q := "SELECT filename, created_at, committed_at IS NOT NULL, data FROM imports WHERE tenant_id = $1 AND id = $2 AND kind = $3"
	if lock {
		q += " FOR UPDATE"
	}
	var name string
	var created time.Time
	var committed bool
	var data []byte
	if err := tx.QueryRow(ctx, q, sc.TenantID, id, k.Name).Scan(&name, &created, &committed, &data); err != nil {
		return nil, db.NotFound("import", err)
	}
	if committed {
		// A committed upload keeps no data.
		return withMeta(&File{}, id, name, created, committed), nil
	}
	f, err := k.Read(data)
	if err != nil {
		// It was read when uploaded: only changed limits make it fail.
		return withMeta(&File{}, id, name, created, committed), err
	}
	return withMeta(f, id, name, created, committed), nil
}

func withMeta(f *File, id uuid.UUID, name string, created time.Time, committed bool) *File {
	f.ID, f.Filename, f.CreatedAt, f.Committed = id, name, created, committed
	return f
}

// File returns upload id of kind k, read (db.ErrNotFound when gone).
func (s *Store) File(ctx context.Context, sc db.Scope, k *Kind, id uuid.UUID) (*File, error) {
	var f *File
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		f, err = s.load(ctx, tx, sc, k, id, false)
		return err
	})
	var problem Problem
	if errors.As(err, &problem) {
		return nil, db.FieldErrors{"file": problem.Error()}
	}
	if err != nil {
		return nil, fmt.Errorf("import: file: %w", err)
	}
	return f, nil
}

// savedMapping is the tenant's remembered mapping for k: header key →
// field key.
func savedMapping(ctx context.Context, tx pgx.Tx, sc db.Scope, k *Kind) (map[string]string, error) {
	out := map[string]string{}
	var raw []byte
	err := tx.QueryRow(ctx, "SELECT mapping FROM import_mappings WHERE tenant_id = $1 AND kind = $2", sc.TenantID, k.Name).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	return out, json.Unmarshal(raw, &out)
}

// Guess proposes a mapping for upload f: the tenant's remembered
// choices first, then the preset its header looks like (Kind.Detect), then
// the fields' names (see Kind.Guess).
func (s *Store) Guess(ctx context.Context, sc db.Scope, k *Kind, f *File) (Mapping, error) {
	m, _, err := s.GuessWith(ctx, sc, k, f, "")
	return m, err
}

// GuessWith is Guess with the person's choice of preset: a preset's name
// puts that preset's column names first (before the remembered choices);
// "" detects one. It returns the preset used ("" for none); an unknown
// name is a db.FieldErrors on "preset".
func (s *Store) GuessWith(ctx context.Context, sc db.Scope, k *Kind, f *File, preset string) (Mapping, string, error) {
	chosen := preset != ""
	if !chosen {
		preset = k.Detect(f.Header)
	}
	p, ok := k.Preset(preset)
	if preset != "" && !ok {
		return nil, "", db.FieldErrors{"preset": "Choose one of the listed exports."}
	}
	var m Mapping
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		saved, err := savedMapping(ctx, tx, sc, k)
		names := []map[string]string{saved}
		if chosen {
			names = append(p.guesses(), saved)
		} else {
			names = append(names, p.guesses()...)
		}
		m = k.Guess(f.Header, names...)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("import: guess: %w", err)
	}
	return m, preset, nil
}

// Preview reads upload id under mapping m (ignored for fixed-header
// kinds) and plans it for role, writing nothing. Any member may preview
// (what a row may change is the plan's business); another tenant's
// upload is db.ErrNotFound.
func (s *Store) Preview(ctx context.Context, sc db.Scope, role auth.Role, k *Kind, id uuid.UUID, m Mapping) (*Preview, error) {
	var pv *Preview
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		pv, err = s.plan(ctx, tx, sc, role, k, id, m, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("import: preview: %w", err)
	}
	return pv, nil
}

func (s *Store) plan(ctx context.Context, tx pgx.Tx, sc db.Scope, role auth.Role, k *Kind, id uuid.UUID, m Mapping, writing bool) (*Preview, error) {
	f, err := s.load(ctx, tx, sc, k, id, writing)
	var problem Problem
	if errors.As(err, &problem) {
		return &Preview{File: f, Mapping: m, Plan: &Plan{kind: k, Problems: []string{problem.Error()}}}, nil
	}
	if err != nil {
		return nil, err
	}
	if f.Committed {
		return &Preview{File: f, Mapping: m, Plan: &Plan{kind: k, Problems: []string{"This file was imported already."}}}, nil
	}
	rows, p := k.Rows(f, m)
	p.writing = writing
	pv := &Preview{File: f, Mapping: m, Plan: p}
	if len(p.Problems) > 0 {
		return pv, nil
	}
	if err := k.Plan(ctx, tx, Actor{Scope: sc, Role: role, Now: s.Now()}, rows, p); err != nil {
		return nil, err
	}
	return pv, nil
}

// Commit writes upload id under mapping m in one transaction, after
// planning it again there: when the plan has any problem nothing is
// written and the error wraps ErrInvalid (the Preview says why). Rows
// that change nothing are left alone, so committing the same file again
// writes nothing but the import's own audit event. Each written record
// gets an audit event; the mapping is remembered for the kind's next
// file. Roles k does not allow get db.ErrForbidden.
func (s *Store) Commit(ctx context.Context, sc db.Scope, role auth.Role, k *Kind, id uuid.UUID, m Mapping) (*Preview, error) {
	if !k.Allowed(role) {
		return nil, fmt.Errorf("import %s as %s: %w", k.Name, role, db.ErrForbidden)
	}
	var pv *Preview
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := s.beginCommit(ctx, tx, sc, k); err != nil {
			return err
		}
		var err error
		if pv, err = s.plan(ctx, tx, sc, role, k, id, m, true); err != nil {
			return err
		}
		if !pv.OK() {
			return invalid()
		}
		return s.write(ctx, tx, sc, k, pv)
	})
	if errors.Is(err, ErrInvalid) {
		return pv, err
	}
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		return pv, err
	}
	if err != nil {
		return nil, fmt.Errorf("import: commit: %w", err)
	}
	return pv, nil
}

// beginCommit starts a committing transaction: the commit's statement
// timeout, one commit of a kind at a time per tenant (so two cannot both
// create the same record between planning and writing), the kind's
// Prepare.
func (s *Store) beginCommit(ctx context.Context, tx pgx.Tx, sc db.Scope, k *Kind) error {
	if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", s.CommitTimeout.Milliseconds())); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('import:' || $1::text || ':' || $2, 0))",
		sc.TenantID, k.Name); err != nil {
		return err
	}
	if k.Prepare != nil {
		return k.Prepare(ctx, tx, sc.TenantID)
	}
	return nil
}

// writePlan writes a checked plan's records and their audit events.
func (s *Store) writePlan(ctx context.Context, tx pgx.Tx, sc db.Scope, k *Kind, p *Plan, now time.Time) error {
	var citus bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')").Scan(&citus); err != nil {
		return err
	}
	w := &writer{tx: tx, scope: sc, now: now, citus: citus || s.batched, target: k.Target, entity: k.Entity}
	after := func() error { return nil }
	if k.Keep != nil {
		ids := make([]string, len(p.events))
		for i, e := range p.events {
			ids[i] = e.entityID
		}
		var err error
		if after, err = k.Keep(ctx, tx, Actor{Scope: sc, Now: w.now}, ids); err != nil {
			return fmt.Errorf("keep %s: %w", k.Name, err)
		}
	}
	if err := w.records(ctx, p.staged, p.events); err != nil {
		if errors.Is(err, errChanged) || db.IsUniqueViolation(err, "") {
			return db.FieldErrors{"file": "Someone changed some of these records while you imported; nothing was imported. Preview again."}
		}
		return fmt.Errorf("write %s: %w", k.Target.Table, err)
	}
	// Before Keep's second half: a recount of a tenant that just grew by
	// 200,000 accounts, planned for the table as it was, joins and sorts
	// badly (several times its cost).
	if !citus && s.AnalyzeAfter > 0 && len(p.staged) >= s.AnalyzeAfter {
		if _, err := tx.Exec(ctx, "SELECT app_analyze($1)", k.Target.Table); err != nil {
			return fmt.Errorf("analyze %s: %w", k.Target.Table, err)
		}
	}
	if err := after(); err != nil {
		return fmt.Errorf("keep %s: %w", k.Name, err)
	}
	if err := w.audit(ctx, p.events); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return emitEvents(ctx, tx, sc, k, p)
}

// emitEvents writes the webhook events of a plan's records.
func emitEvents(ctx context.Context, tx pgx.Tx, sc db.Scope, k *Kind, p *Plan) error {
	if k.Events == nil {
		return nil
	}
	var out []webhook.Event
	for _, e := range p.events {
		typ := k.Events.Updated
		if e.action == "import_"+string(OpCreate) {
			typ = k.Events.Created
		}
		id, err := uuid.Parse(e.entityID)
		if typ == "" || err != nil {
			continue
		}
		out = append(out, webhook.Change(typ, k.Events.Object, id, rawJSON(e.before), rawJSON(e.after)))
	}
	return webhook.Emit(ctx, tx, sc.TenantID, out...)
}

// write applies a checked plan and closes the upload.
func (s *Store) write(ctx context.Context, tx pgx.Tx, sc db.Scope, k *Kind, pv *Preview) error {
	now := s.Now()
	if err := s.writePlan(ctx, tx, sc, k, pv.Plan, now); err != nil {
		return err
	}
	if !k.FixedHeader {
		if _, err := tx.Exec(ctx, `INSERT INTO import_mappings (tenant_id, kind, mapping, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, kind) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = EXCLUDED.updated_at`,
			sc.TenantID, k.Name, remembered(pv.File.Header, pv.Mapping), now); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE imports SET committed_at = $3, data = ''::bytea WHERE tenant_id = $1 AND id = $2",
		sc.TenantID, pv.File.ID, now); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "import", Entity: "import", EntityID: pv.File.ID.String(),
		After: map[string]any{"kind": k.Name, "file": pv.File.Filename, "rows": len(pv.File.Records),
			"created": pv.Creates, "updated": pv.Updates, "unchanged": pv.Unchanged}})
}
