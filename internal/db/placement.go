package db

import "context"
import "fmt"
import "strconv"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

// Placement is where one tenant's rows live on Citus: the shard of the
// tenants table that holds it (every co-located table has a shard over the
// same hash range on the same node, so this names the whole shard group)
// and the node that holds it.
type Placement struct {
	Tenant  uuid.UUID
	ShardID int64
	// Node is the worker's host:port.
	Node string
	// Isolated is true when the shard holds this tenant alone (its hash
	// range is one value), as IsolateTenant leaves it.
	Isolated bool
}

// TenantPlacement returns where tenant's rows live in the Citus database
// at url (connected as the tables' owner).
func TenantPlacement(ctx context.Context, url string, tenant uuid.UUID) (Placement, error) {
	conn, err := connectCitus(ctx, url)
	if err != nil {
		return Placement{}, err
	}
	defer conn.Close(ctx)
	return placement(ctx, conn, tenant)
}

func placement(ctx context.Context, q querier, tenant uuid.UUID) (Placement, error) {
	p := Placement{Tenant: tenant}
	var minV, maxV string
	err := q.QueryRow(ctx, `SELECT s.shardid, n.nodename || ':' || n.nodeport, s.shardminvalue, s.shardmaxvalue
		FROM pg_dist_shard s
		JOIN pg_dist_placement pl ON pl.shardid = s.shardid
		JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary'
		WHERE s.shardid = get_shard_id_for_distribution_column($1, $2::uuid)`, TenantsTable, tenant).
		Scan(&p.ShardID, &p.Node, &minV, &maxV)
	if err != nil {
		return Placement{}, fmt.Errorf("citus: placement of tenant %s: %w", tenant, err)
	}
	p.Isolated = minV == maxV
	return p, nil
}

// IsolateTenant moves tenant onto a shard group of its own (Citus's
// isolate_tenant_to_new_shard, cascading to every co-located table) and,
// when to is a worker's host:port, moves that shard group there. Writes to
// the tenant wait while its rows are copied (block_writes). It returns the
// tenant's new placement. Isolating an isolated tenant only moves it.
func IsolateTenant(ctx context.Context, url string, tenant uuid.UUID, to string) (Placement, error) {
	conn, err := connectCitus(ctx, url)
	if err != nil {
		return Placement{}, err
	}
	defer conn.Close(ctx)
	p, err := placement(ctx, conn, tenant)
	if err != nil {
		return Placement{}, err
	}
	if !p.Isolated {
		if _, err := conn.Exec(ctx, "SELECT isolate_tenant_to_new_shard($1, $2::uuid, 'CASCADE', shard_transfer_mode => 'block_writes')",
			TenantsTable, tenant); err != nil {
			return Placement{}, fmt.Errorf("citus: isolate tenant %s: %w", tenant, err)
		}
		if p, err = placement(ctx, conn, tenant); err != nil {
			return Placement{}, err
		}
	}
	if to != "" && to != p.Node {
		host, port, err := splitNode(to)
		if err != nil {
			return Placement{}, err
		}
		fromHost, fromPort, err := splitNode(p.Node)
		if err != nil {
			return Placement{}, err
		}
		if _, err := conn.Exec(ctx, "SELECT citus_move_shard_placement($1, $2, $3, $4, $5, shard_transfer_mode => 'block_writes')",
			p.ShardID, fromHost, fromPort, host, port); err != nil {
			return Placement{}, fmt.Errorf("citus: move tenant %s to %s: %w", tenant, to, err)
		}
		if p, err = placement(ctx, conn, tenant); err != nil {
			return Placement{}, err
		}
	}
	return p, nil
}

func splitNode(node string) (string, int, error) {
	for i := len(node) - 1; i >= 0; i-- {
		if node[i] == ':' {
			port, err := strconv.Atoi(node[i+1:])
			if err == nil && i > 0 {
				return node[:i], port, nil
			}
			break
		}
	}
	return "", 0, fmt.Errorf("citus: node %q: want host:port", node)
}

// connectCitus connects to url and checks it is a Citus database.
func connectCitus(ctx context.Context, url string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("citus: connect: %w", err)
	}
	ok, err := HasCitus(ctx, conn)
	if err == nil && !ok {
		err = ErrNoCitus
	}
	if err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return conn, nil
}
