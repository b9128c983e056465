// Package importer is the one CSV import pipeline. Every import (accounts,
// stakeholders, KPI figures, and the figure imports to come) is a Kind:
// a small description of its fields, who may import, how a row is
// planned against the tenant's data, and the table it writes. The
// pipeline does the rest, the same way for each:
//
//  1. Upload (Store.Upload): the size limit, then Kind.Read checks the
//     file (csvcell.NewReader: the encoding (UTF-8, UTF-16 by its
//     byte-order mark, else Windows-1252) and the delimiter (comma,
//     semicolon or tab, from the header line); no binary; quotes; row and
//     column limits; for a fixed-header kind, the header). The bytes are
//     kept in the imports table for a day.
//  2. Map columns: Kind.Guess proposes a field for each column from the
//     tenant's remembered choices (import_mappings, per kind), then the
//     preset the header looks like (Kind.Detect: a CRM's standard export,
//     Kind.Presets), then the fields' keys, labels and Aliases
//     (normalised with HeaderKey). The person may pick another preset
//     (its names then come first) and change any column; a fixed-header
//     kind (FixedHeader) skips the step and reads the header as the
//     mapping.
//  3. Preview (Store.Preview): Kind.Rows applies the mapping, then the
//     kind's Plan reads every row against the tenant's data in one
//     read-only transaction and reports a Create, Update or Keep for each
//     good row and a Fail (line, column, value, message) for each
//     problem. Nothing is written.
//  4. Commit (Store.Commit): in one transaction, one commit per tenant and
//     kind at a time, the kind's Prepare, then the same planning again;
//     any problem and nothing is written (ErrInvalid, with the plan).
//     Otherwise the records are staged with COPY into a temporary table
//     and written into Target with one INSERT (new records) and one
//     UPDATE (changed ones, each checked against the version the plan
//     read: a record someone saved meanwhile fails the commit rather than
//     being overwritten), their audit events (import_create /
//     import_update, before and after) with one INSERT; then the mapping
//     is remembered, the upload closed and the import's own audit event
//     written. Rows that change nothing are not written, so the same file
//     twice changes nothing. On Citus the same statements take multi-row
//     VALUES batches instead (see write.go).
//
// The server serves every kind with the same four routes and one page
// (internal/server/handlers_import.go, templates/import.templ).
//
// # How to add an import
//
//  1. In the domain package that owns the table, declare a *Kind: Name
//     (keys uploads and remembered mappings), Entity (the audit log's
//     entity), Fields with Label, Aliases (header names people use) and
//     Required, CanImport if only some roles may import, Presets for
//     other systems' exports it reads (their column names in order of
//     preference, data only: see internal/account/presets.go), and
//     Target: the table, its columns in the order Plan gives
//     values, the key after tenant_id, Versioned when the table has
//     version and updated_at.
//  2. Write Plan: load what matching needs in one or two queries (for
//     rows that name an account, account.LoadRefs and Refs.FindEditable
//     give the one way files name accounts and the KAM rule), then for
//     each Row read cells with Value(key) (trimmed, export escapes
//     undone), parse them with the domain's own parsers, and call
//     p.Fail(row, key, message) for each problem or p.Create / p.Update /
//     p.Keep with a Change (what the row is about for the preview, the
//     audit id and states, the Target values and, for an update, the
//     version read). Keep Plan pure apart
//     from its reads, so it can be tested and fuzzed without a database.
//  3. In the server, add an importPage (path, URL parameter, titles, help,
//     the commit button and message) and its routes: importRoutes in the
//     role group that may import, the upload (POST path) in the group
//     with the larger body limit; add the routes to the access matrix.
//  4. Test the plan on files (Kind.Read, Kind.Rows, then the plan
//     function), the store path on a real database (preview, commit,
//     bad rows write nothing, re-import changes nothing, OtherTenant),
//     and the pages through the router.
//
// A new monthly figure in an existing import is a Field, a cell of the
// domain's input, and a Target column.
package importer
