package demo

import "context"
import "fmt"
import "math"
import "math/rand/v2"
import "slices"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/plan"

// demoProducts is the demo tenant's catalogue.
var demoProducts = []plan.ProductInput{
	{Name: "Cold-chain monitoring", Description: "Sensors and alerts for temperature-controlled goods", Active: true},
	{Name: "Fleet telematics", Description: "Vehicle tracking, routes and driver scoring", Active: true},
	{Name: "Warehouse automation", Description: "Conveyors, picking robots and their software", Active: true},
	{Name: "Predictive maintenance", Description: "Failure forecasts from machine data", Active: true},
	{Name: "Spare-parts subscription", Description: "Guaranteed parts availability, billed monthly", Active: true},
	{Name: "Training academy", Description: "On-site and online training for operators", Active: true},
}

var demoWhys = []string{
	"Become %s's partner of choice for reliable operations, so they grow in new regions with us rather than with a competitor.",
	"Help %s cut downtime across their plants; in return we become their standard supplier for maintenance.",
	"Move from a supplier to a strategic partner: joint roadmap, quarterly executive reviews, and a share of %s's automation budget.",
	"Protect and grow a relationship that carries a large share of our revenue by making %s measurably more productive.",
}

type demoGoal struct {
	title    string
	kpi      plan.KPI
	custom   string
	baseline func(rev float64, r *rand.Rand) float64
	lift     func(base float64, r *rand.Rand) float64
}

var demoGoals = []demoGoal{
	{"Grow revenue with the account", plan.KPIRevenue, "",
		func(rev float64, _ *rand.Rand) float64 { return rev },
		func(b float64, r *rand.Rand) float64 { return roundTo(b*(0.10+0.15*r.Float64()), 10000) }},
	{"Raise NPS among operations managers", plan.KPINPS, "",
		func(_ float64, r *rand.Rand) float64 { return float64(10 + r.IntN(30)) },
		func(_ float64, r *rand.Rand) float64 { return float64(10 + r.IntN(10)) }},
	{"Lift adoption of the monitoring platform", plan.KPIAdoption, "",
		func(_ float64, r *rand.Rand) float64 { return float64(40 + r.IntN(30)) },
		func(_ float64, r *rand.Rand) float64 { return float64(10 + r.IntN(15)) }},
	{"Cross-sell into a second business unit", plan.KPICrossSellCount, "",
		func(_ float64, r *rand.Rand) float64 { return float64(1 + r.IntN(3)) },
		func(_ float64, r *rand.Rand) float64 { return float64(1 + r.IntN(3)) }},
	// CSAT on the demo tenant's scale: an average rating from 1 to 5.
	{"Improve customer satisfaction scores", plan.KPICSAT, "",
		func(_ float64, r *rand.Rand) float64 { return 3.4 + float64(r.IntN(6))/10 },
		func(_ float64, r *rand.Rand) float64 { return 0.3 + float64(r.IntN(4))/10 }},
	{"Publish joint case studies", plan.KPICustom, "Joint case studies",
		func(_ float64, _ *rand.Rand) float64 { return 0 },
		func(_ float64, r *rand.Rand) float64 { return float64(2 + r.IntN(2)) }},
}

var demoActions = []string{
	"Run a quarterly business review with the COO",
	"Map the buying centre in the new division",
	"Agree a joint success plan with the plant managers",
	"Run an adoption workshop for shift supervisors",
	"Send the NPS follow-up survey and call every detractor",
	"Propose a pilot for the next product line",
	"Invite their engineering lead to the customer advisory board",
	"Prepare the renewal proposal with volume pricing",
	"Set up monthly usage reporting",
	"Introduce our service manager to their maintenance team",
}

func roundTo(v, step float64) float64 { return math.Round(v/step) * step }

// seedPlans gives the demo tenant a product catalogue, a plan for each key
// account (this fiscal year; the first two also have last year's, closed)
// with goals and actions, and a whitespace grid. It builds on the demo
// accounts and does nothing when the tenant has no key accounts. The data
// are the same on every run (fixed random seed), with dates placed around
// today so the plans look current.
func seedPlans(ctx context.Context, d *db.DB, sc db.Scope) error {
	return seedPlansAt(ctx, d, sc, time.Now())
}

type demoAccount struct {
	id      uuid.UUID
	name    string
	kam     *uuid.UUID
	revenue float64
	figures []kpi.Figure
}

// csatGoal is the CSAT goal's index in demoGoals.
var csatGoal = slices.IndexFunc(demoGoals, func(g demoGoal) bool { return g.kpi == plan.KPICSAT })

// goalAround picks a goal's baseline and target around cur, the measure's
// current value from the figures, so that its progress is progress (0..1):
// baseline = cur − progress × lift, target = baseline + lift, kept inside
// the measure's range (CSAT on the demo's 1–5 scale).
func goalAround(k plan.KPI, cur, progress float64, rng *rand.Rand) (baseline, target float64) {
	var lift float64
	switch k {
	case plan.KPICSAT:
		lift = 0.3 + 0.1*float64(rng.IntN(4))
	case plan.KPINPS:
		lift = float64(6 + rng.IntN(10))
	case plan.KPIAdoption:
		lift = float64(5 + rng.IntN(10))
	case plan.KPICrossSellCount:
		lift = float64(1 + rng.IntN(2))
	default: // money
		lift = roundTo(cur*(0.08+0.12*rng.Float64()), 1000)
	}
	baseline = cur - progress*lift
	switch k {
	case plan.KPICSAT:
		baseline = math.Max(1, roundTo(baseline, 0.1))
		target = math.Min(5, roundTo(baseline+lift, 0.1))
		if target <= baseline {
			baseline = roundTo(target-0.1, 0.1)
		}
	case plan.KPINPS:
		baseline = math.Max(-100, math.Round(baseline))
		target = math.Min(100, baseline+lift)
	case plan.KPIAdoption:
		baseline = math.Max(0, math.Round(baseline))
		target = math.Min(100, baseline+lift)
		if target <= baseline {
			baseline = target - 1
		}
	case plan.KPICrossSellCount:
		baseline = math.Max(0, math.Floor(baseline))
		target = baseline + lift
	default:
		baseline = math.Max(0, roundTo(baseline, 1000))
		target = baseline + math.Max(lift, 1000)
	}
	return baseline, target
}

func seedPlansAt(ctx context.Context, d *db.DB, sc db.Scope, today time.Time) error {
	var accounts []demoAccount
	var members []uuid.UUID
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id, name, kam_user_id, annual_revenue::float8 FROM accounts
			WHERE tenant_id = $1 AND key_status = 'key' AND archived_at IS NULL ORDER BY lower(name), id LIMIT 40`, sc.TenantID)
		var err error
		if accounts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (demoAccount, error) {
			var a demoAccount
			return a, r.Scan(&a.id, &a.name, &a.kam, &a.revenue)
		}); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.tenant_id = $1 AND m.active ORDER BY u.email`, sc.TenantID)
		members, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		return fmt.Errorf("demo: plans: read accounts: %w", err)
	}
	if len(accounts) == 0 || len(members) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(2026, 5))
	var products []uuid.UUID
	for _, p := range demoProducts {
		id, err := plan.CreateProduct(ctx, d, sc, p)
		if err != nil {
			return fmt.Errorf("demo: product %s: %w", p.Name, err)
		}
		products = append(products, id)
	}
	settings, err := plan.SettingsOf(ctx, d, sc)
	if err != nil {
		return err
	}
	actor := plan.Actor{Scope: sc, Role: auth.RoleAdmin}
	current := plan.PeriodOf(today, settings.FiscalYearStartMonth)
	for i, a := range accounts {
		owner := members[rng.IntN(len(members))]
		if a.kam != nil {
			owner = *a.kam
		}
		if a.revenue <= 0 {
			a.revenue = roundTo(200000+rng.Float64()*800000, 10000)
		}
		figs, err := kpi.NewStore(d).AccountKPIs(ctx, sc, a.id)
		if err != nil {
			return fmt.Errorf("demo: plans: figures of %s: %w", a.name, err)
		}
		a.figures = figs.Figures
		if i < 2 {
			prev := plan.Period{Year: current.Year - 1}
			if err := seedOnePlan(ctx, d, actor, rng, a, owner, members, prev, plan.StatusClosed, settings, today, false); err != nil {
				return err
			}
		}
		status := plan.StatusActive
		if i%4 == 3 {
			status = plan.StatusDraft
		}
		if err := seedOnePlan(ctx, d, actor, rng, a, owner, members, current, status, settings, today, i%2 == 0); err != nil {
			return err
		}
		for _, p := range products {
			in := plan.CellInput{}
			switch x := rng.IntN(100); {
			case x < 30:
				in.State = plan.CellOwned
			case x < 65:
				v := roundTo(20000+rng.Float64()*380000, 5000)
				closeOn := today.AddDate(0, 2+rng.IntN(8), 0)
				in.State, in.EstimatedValue, in.ExpectedClose = plan.CellOpportunity, &v, &closeOn
			case x < 80:
				in.State = plan.CellNotFit
			default:
				continue
			}
			if err := plan.SetCell(ctx, d, actor, a.id, p, in, 0); err != nil {
				return fmt.Errorf("demo: whitespace %s: %w", a.name, err)
			}
		}
	}
	return nil
}

// seedOnePlan makes a's plan for per with two to four goals (one on CSAT
// when withCSAT) and their actions. A goal on a KPI the account has
// figures for in the period gets a baseline and target around its
// current value, so its progress follows the time elapsed more or less
// closely; other goals get a value typed by hand.
func seedOnePlan(ctx context.Context, d *db.DB, actor plan.Actor, rng *rand.Rand, a demoAccount, owner uuid.UUID, members []uuid.UUID,
	per plan.Period, status plan.Status, settings plan.Settings, today time.Time, withCSAT bool) error {
	first, last := per.Range(settings.FiscalYearStartMonth)
	why := fmt.Sprintf(demoWhys[rng.IntN(len(demoWhys))], a.name)
	planID, err := plan.CreatePlan(ctx, d, actor, a.id, plan.PlanInput{Period: per.String(), Status: plan.StatusActive, Why: why}, false)
	if err != nil {
		return fmt.Errorf("demo: plan %s %s: %w", a.name, per, err)
	}
	// How far into the period today is, 0..1: progress follows it.
	elapsed := math.Min(1, math.Max(0, float64(today.Sub(first))/float64(last.Sub(first))))
	n := 2 + rng.IntN(3)
	picks := rng.Perm(len(demoGoals))[:n]
	if withCSAT && !slices.Contains(picks, csatGoal) {
		picks[0] = csatGoal
	}
	var goalIDs []uuid.UUID
	for _, gi := range picks {
		tpl := demoGoals[gi]
		base := tpl.baseline(a.revenue, rng)
		target := base + tpl.lift(base, rng)
		switch tpl.kpi {
		case plan.KPINPS, plan.KPIAdoption:
			target = math.Min(target, 100)
		case plan.KPICSAT:
			target = math.Min(roundTo(target, 0.1), 5)
		}
		share := elapsed * (0.3 + 0.9*rng.Float64())
		cur := base + (target-base)*share
		switch tpl.kpi {
		case plan.KPICrossSellCount, plan.KPICustom:
			cur = math.Floor(cur)
		case plan.KPICSAT:
			cur = roundTo(cur, 0.1)
		default:
			cur = math.Round(cur)
		}
		due := first.AddDate(0, 6+rng.IntN(6), 0).AddDate(0, 0, -1)
		in := plan.GoalInput{Title: tpl.title, KPI: tpl.kpi, CustomMeasure: tpl.custom, Baseline: base, Target: target, DueDate: due,
			ManualProgress: &cur}
		if m := plan.Measure(a.figures, tpl.kpi, first, last); m != nil {
			in.Baseline, in.Target = goalAround(tpl.kpi, m.Value, math.Min(share, 1), rng)
			in.ManualProgress = nil
		}
		id, err := plan.CreateGoal(ctx, d, actor, planID, in)
		if err != nil {
			return fmt.Errorf("demo: goal %s: %w", tpl.title, err)
		}
		goalIDs = append(goalIDs, id)
	}
	used := map[int]bool{}
	for k := 0; k < len(goalIDs)+2; k++ {
		ai := rng.IntN(len(demoActions))
		for used[ai] {
			ai = (ai + 1) % len(demoActions)
		}
		used[ai] = true
		var goal *uuid.UUID
		if k < len(goalIDs) {
			goal = &goalIDs[k]
		} else if k == len(goalIDs) {
			goal = &goalIDs[rng.IntN(len(goalIDs))]
		}
		who := owner
		if rng.IntN(4) == 0 {
			who = members[rng.IntN(len(members))]
		}
		due := first.AddDate(0, 0, 14+rng.IntN(330))
		if due.After(last) {
			due = last
		}
		id, err := plan.CreateAction(ctx, d, actor, planID, plan.ActionInput{GoalID: goal, Description: demoActions[ai], OwnerID: who, DueDate: due})
		if err != nil {
			return fmt.Errorf("demo: action: %w", err)
		}
		if due.Before(today) && (status == plan.StatusClosed || rng.IntN(10) < 7) {
			if _, err := plan.SetActionDone(ctx, d, actor, planID, id, true, 1); err != nil {
				return fmt.Errorf("demo: action done: %w", err)
			}
		}
	}
	if status != plan.StatusActive {
		if err := plan.UpdatePlan(ctx, d, actor, planID, plan.PlanInput{Period: per.String(), Status: status, Why: why}, 1); err != nil {
			return fmt.Errorf("demo: plan status: %w", err)
		}
	}
	return nil
}
