package main

import "context"
import "errors"
import "flag"
import "fmt"
import "strings"

import "github.com/google/uuid"

import "pareto/internal/db"

// citus runs the Citus subcommands (docs/scaling.md).
func citus(ctx context.Context, args []string) error {
	const subs = "distribute, placement TENANT_ID, isolate [--to HOST:PORT] TENANT_ID"
	if len(args) == 0 {
		return errors.New("citus needs a subcommand: " + subs)
	}
	fs := flag.NewFlagSet("citus "+args[0], flag.ExitOnError)
	var dbf dbFlags
	dbf.register(fs)
	to := fs.String("to", "", "isolate: move the tenant's new shard group to this worker (host:port)")
	_ = fs.Parse(args[1:])
	if dbf.url == "" {
		return errors.New("citus: set DATABASE_URL (or --database-url) to the Citus coordinator, connected as the tables' owner")
	}
	tenant := func() (uuid.UUID, error) {
		if fs.NArg() != 1 {
			return uuid.Nil, fmt.Errorf("citus %s needs one tenant id", args[0])
		}
		id, err := uuid.Parse(fs.Arg(0))
		if err != nil {
			return uuid.Nil, fmt.Errorf("citus %s: tenant id %q: %w", args[0], fs.Arg(0), err)
		}
		return id, nil
	}
	switch args[0] {
	case "distribute":
		return citusDistribute(ctx, dbf.url)
	case "placement", "isolate":
		id, err := tenant()
		if err != nil {
			return err
		}
		var p db.Placement
		if args[0] == "placement" {
			p, err = db.TenantPlacement(ctx, dbf.url, id)
		} else {
			p, err = db.IsolateTenant(ctx, dbf.url, id, *to)
		}
		if err != nil {
			return err
		}
		alone := "shared with other tenants"
		if p.Isolated {
			alone = "this tenant alone"
		}
		fmt.Printf("tenant %s: shard group %d on %s (%s)\n", p.Tenant, p.ShardID, p.Node, alone)
		return nil
	}
	return fmt.Errorf("citus: unknown subcommand %q (want %s)", args[0], subs)
}

func citusDistribute(ctx context.Context, url string) error {
	// Pending migrations first (the schema Citus accepts comes with them);
	// on a Citus coordinator migrating up distributes.
	m, err := db.NewMigrator(url)
	if err != nil {
		return err
	}
	defer m.Close()
	applied, err := m.Up(ctx)
	for _, r := range applied {
		fmt.Printf("applied %s\n", r.Source.Path)
	}
	if err != nil {
		return err
	}
	res, err := db.Distribute(ctx, url)
	if err != nil {
		return err
	}
	if len(m.Distributed) == 0 {
		fmt.Println("already distributed: nothing to do")
	} else {
		fmt.Printf("converted %d tables: %s\n", len(m.Distributed), strings.Join(m.Distributed, ", "))
	}
	for _, kind := range []string{db.KindDistributed, db.KindReference, db.KindCitusLocal, db.KindLocal} {
		if names := res.Names(kind); len(names) > 0 {
			fmt.Printf("%-12s %s\n", kind+":", strings.Join(names, ", "))
		}
	}
	return nil
}
