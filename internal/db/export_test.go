package db

// NewMigratorFS is NewMigrator with other migration files, for tests of
// migrations that are not the application's.
var NewMigratorFS = newMigrator
