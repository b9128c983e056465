package db

import "context"
import "fmt"
import "strconv"
import "strings"

import "github.com/jackc/pgx/v5"

// maxParams is PostgreSQL's limit of bind parameters in one statement.
const maxParams = 65535

// InsertRows writes rows (each one value per column of cols) into table
// with multi-row INSERT … VALUES statements, as many rows per statement as
// the parameter limit allows, each followed by suffix (an ON CONFLICT
// clause, or ""). It returns the number of rows inserted or updated.
//
// This is the bulk write that works both on PostgreSQL and on Citus under
// row-level security: Citus routes each row of a VALUES list to its shard
// as an INSERT, whereas an INSERT … SELECT from unnest(), a temporary table
// or COPY is pulled through the coordinator and written into the shards
// with COPY, which PostgreSQL refuses on tables with row-level security
// ("COPY FROM not supported with row-level security"). Functions in the
// suffix's DO UPDATE SET must be immutable on Citus: use EXCLUDED.updated_at
// (filled by the column default) rather than now().
func InsertRows(ctx context.Context, tx pgx.Tx, table string, cols []string, rows [][]any, suffix string) (int64, error) {
	if len(cols) == 0 {
		return 0, fmt.Errorf("db: insert into %s: no columns", table)
	}
	per := maxParams / len(cols)
	head := "INSERT INTO " + pgx.Identifier{table}.Sanitize() + " (" + strings.Join(quoted(cols), ", ") + ") VALUES "
	var total int64
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var sql strings.Builder
		sql.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for i, row := range chunk {
			if len(row) != len(cols) {
				return total, fmt.Errorf("db: insert into %s: row %d has %d values for %d columns", table, start+i, len(row), len(cols))
			}
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteByte('(')
			for j := range row {
				if j > 0 {
					sql.WriteString(", ")
				}
				sql.WriteByte('$')
				sql.WriteString(strconv.Itoa(len(args) + j + 1))
			}
			sql.WriteByte(')')
			args = append(args, row...)
		}
		if suffix != "" {
			sql.WriteByte(' ')
			sql.WriteString(suffix)
		}
		tag, err := tx.Exec(ctx, sql.String(), args...)
		if err != nil {
			return total, fmt.Errorf("db: insert into %s: %w", table, err)
		}
		total += tag.RowsAffected()
	}
	return total, nil
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = pgx.Identifier{n}.Sanitize()
	}
	return out
}
