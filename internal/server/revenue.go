package server

import "context"
import "sync"
import "time"

import "github.com/google/uuid"

import "pareto/internal/db"

// revenueRefresher moves tenants' revenue windows on in the background
// (account/revenue.go): when the calendar enters a new month, the first
// page that shows revenue and finds its tenant's kept revenue stale starts
// one refresh for that tenant; the page itself shows the figures of the
// window they were kept for, and says which.
type revenueRefresher struct {
	mu      sync.Mutex
	running map[uuid.UUID]bool
	wg      sync.WaitGroup
}

// freshenRevenue starts the refresh of the scope's tenant when stale and
// none is running.
func (s *Server) freshenRevenue(sc db.Scope, stale bool) {
	if !stale {
		return
	}
	rr := &s.revenue
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.running == nil {
		rr.running = map[uuid.UUID]bool{}
	}
	if rr.running[sc.TenantID] {
		return
	}
	rr.running[sc.TenantID] = true
	rr.wg.Go(func() {
		defer func() {
			rr.mu.Lock()
			delete(rr.running, sc.TenantID)
			rr.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		start := time.Now()
		// System work for the tenant: no person, no audit event.
		if err := s.accounts().RefreshRevenue(ctx, db.Scope{TenantID: sc.TenantID}); err != nil {
			s.log.Warn("revenue refresh", "tenant_id", sc.TenantID, "err", err)
			return
		}
		s.log.Info("revenue window moved on", "tenant_id", sc.TenantID, "took", time.Since(start))
	})
}
