package demo

import "context"
import "fmt"
import "math/rand/v2"
import "strings"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"

// AccountCount is how many demo accounts Seed creates.
const AccountCount = 60

var (
	demoIndustries = []string{"Chemicals", "Automotive", "Food & Beverage", "Logistics", "Pharmaceuticals",
		"Retail", "Energy", "Machinery", "Electronics", "Construction"}
	demoRegions = []struct {
		Name      string
		Countries []string
	}{
		{"DACH", []string{"Germany", "Austria", "Switzerland"}},
		{"Nordics", []string{"Sweden", "Denmark", "Norway", "Finland"}},
		{"Benelux", []string{"Netherlands", "Belgium", "Luxembourg"}},
		{"UK & Ireland", []string{"United Kingdom", "Ireland"}},
		{"Southern Europe", []string{"Italy", "Spain", "Portugal"}},
		{"North America", []string{"United States", "Canada"}},
		{"APAC", []string{"Singapore", "Japan", "Australia"}},
	}
	namePrefixes = []string{"Nordwind", "Alpen", "Helix", "Vertex", "Bluestone", "Orion", "Keystone", "Meridian", "Silverline",
		"Ironbridge", "Polaris", "Cobalt", "Evergreen", "Summit", "Harbor", "Granite", "Lumen", "Atlas", "Sterling", "Falcon",
		"Aurora", "Crescent", "Redwood", "Pioneer", "Quantum", "Riverside", "Titan", "Beacon", "Northgate", "Westfield"}
	nameSuffixes = map[string][]string{
		"Chemicals":       {"Chemie AG", "Polymers", "Coatings", "Specialty Chemicals"},
		"Automotive":      {"Automotive", "Drive Systems", "Mobility", "Components"},
		"Food & Beverage": {"Foods", "Brewing Co", "Dairy", "Beverages"},
		"Logistics":       {"Logistics", "Freight", "Shipping", "Transport"},
		"Pharmaceuticals": {"Pharma", "Biotech", "Life Sciences", "Healthcare"},
		"Retail":          {"Retail Group", "Stores", "Markets", "Commerce"},
		"Energy":          {"Energy", "Power", "Renewables", "Utilities"},
		"Machinery":       {"Maschinenbau", "Engineering", "Industrial", "Machines"},
		"Electronics":     {"Electronics", "Semiconductors", "Devices", "Systems"},
		"Construction":    {"Construction", "Building Materials", "Infrastructure", "Bau GmbH"},
	}
	firstNames = []string{"Anna", "Lukas", "Sofia", "Jonas", "Emma", "Noah", "Mia", "Elias", "Lea", "Paul", "Sara", "David",
		"Julia", "Felix", "Laura", "Max", "Nina", "Oskar", "Clara", "Henrik", "Ines", "Marco", "Yuki", "Priya", "Tom"}
	lastNames = []string{"Schneider", "Berg", "Rossi", "Jansen", "Novak", "Larsen", "Fischer", "Dubois", "Moreau", "Keller",
		"Svensson", "Costa", "Müller", "Tanaka", "Patel", "O'Brien", "Weber", "Lindqvist", "García", "Hoffmann"}
	dmTitles         = []string{"CEO", "CFO", "COO", "VP Procurement", "Managing Director", "Head of Purchasing"}
	championTitles   = []string{"Head of Operations", "Plant Manager", "Director of Engineering", "Supply Chain Lead"}
	influencerTitles = []string{"IT Director", "Quality Manager", "Category Manager", "Controller", "R&D Lead"}
	userTitles       = []string{"Production Planner", "Buyer", "Maintenance Lead", "Lab Manager", "Warehouse Manager"}
	summaries        = map[account.Kind][]string{
		account.KindMeeting: {"Quarterly business review: volumes on plan, interest in the premium line.",
			"On-site visit with the operations team; walked the plant and discussed bottlenecks.",
			"Workshop on next year's requirements; they want a joint roadmap.",
			"Contract renewal discussion; price pressure from a competitor."},
		account.KindCall: {"Call about delayed deliveries; agreed on a recovery plan.",
			"Intro call with the new procurement lead.",
			"Check-in on the pilot; first results look good.",
			"Discussed budget for next year; decision expected next quarter."},
		account.KindEmail: {"Sent the updated proposal with volume tiers.",
			"Shared the case study from a similar customer.",
			"Followed up on open invoices.",
			"Sent the agenda for the business review."},
		account.KindNote: {"Heard that a competitor offered a 10% discount.",
			"Reorganisation announced: purchasing moves to the group level.",
			"Champion is leaving the company in spring; find a successor.",
			"They are expanding into two new countries next year."},
	}
	nextSteps = []string{"Send revised offer", "Schedule follow-up meeting", "Prepare business case", "Introduce our product specialist",
		"Share reference customer contacts", "Confirm pilot scope", "Clarify delivery terms", "Book executive sponsor call"}
)

// seedAccounts creates the demo accounts with stakeholders and
// interactions, deterministically (a fixed random seed). Next steps are
// owned by the demo KAMs so their dashboards show overdue work.
func seedAccounts(ctx context.Context, d *db.DB, admin auth.Member, kams []auth.Member, now time.Time) error {
	rng := rand.New(rand.NewPCG(42, 2026))
	st := account.NewStore(d)
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	used := map[string]bool{}
	for i := range AccountCount {
		industry := demoIndustries[i%len(demoIndustries)]
		region := demoRegions[rng.IntN(len(demoRegions))]
		var name string
		for name == "" || used[name] {
			name = pick(namePrefixes) + " " + pick(nameSuffixes[industry])
		}
		used[name] = true
		segment, lo, hi := "Mid-market", 200_000, 1_500_000
		switch r := rng.Float64(); {
		case r < 0.3:
			segment, lo, hi = "Enterprise", 1_000_000, 8_000_000
		case r > 0.8:
			segment, lo, hi = "SMB", 20_000, 250_000
		}
		status := account.StatusCustomer
		switch r := rng.Float64(); {
		case r < 0.18:
			status = account.StatusProspect
		case r > 0.94:
			status = account.StatusFormer
		}
		revenue := account.Money(int64(lo+rng.IntN(hi-lo)) / 1000 * 1000 * 100)
		potential := account.Money(float64(revenue) * (1.2 + rng.Float64()*2.8))
		potential = potential / 100_000 * 100_000
		var since time.Time
		switch status {
		case account.StatusProspect:
			potential = account.Money(int64(lo+rng.IntN(hi-lo))*2) / 1000 * 1000 * 100
			revenue = 0
		case account.StatusFormer:
			revenue = revenue / 10
			since = today.AddDate(-8-rng.IntN(6), -rng.IntN(12), 0)
		default:
			since = today.AddDate(-1-rng.IntN(15), -rng.IntN(12), 0)
		}
		since = time.Date(since.Year(), since.Month(), 1, 0, 0, 0, 0, time.UTC)
		f := account.Fields{Name: name, ExternalRef: fmt.Sprintf("CRM-%05d", 10_000+i*37), Industry: industry,
			Region: region.Name, Country: pick(region.Countries), Segment: segment, Status: status, CustomerSince: since,
			AnnualRevenue: revenue, RevenuePotential: potential}
		if rng.IntN(3) == 0 {
			f.Notes = "Buying centre is " + strings.ToLower(pick([]string{"centralised at group level", "split by plant", "driven by engineering"})) + "."
		}
		a, err := st.CreateAccount(ctx, sc, auth.RoleAdmin, f)
		if err != nil {
			return fmt.Errorf("demo: account %s: %w", name, err)
		}
		people, err := seedStakeholders(ctx, st, sc, rng, a.ID, pick)
		if err != nil {
			return err
		}
		if err := seedInteractions(ctx, st, sc, rng, a.ID, people, kams, today, pick); err != nil {
			return err
		}
	}
	return nil
}

func seedStakeholders(ctx context.Context, st *account.Store, sc db.Scope, rng *rand.Rand, accountID uuid.UUID,
	pick func([]string) string) ([]uuid.UUID, error) {
	n := 2 + rng.IntN(4)
	var ids []uuid.UUID
	strengths := []account.Strength{account.StrengthStrong, account.StrengthNeutral, account.StrengthNeutral, account.StrengthWeak, account.StrengthNone}
	for j := range n {
		role, title := account.RoleInfluencer, pick(influencerTitles)
		switch {
		case j == 0 && rng.IntN(8) > 0:
			role, title = account.RoleDecisionMaker, pick(dmTitles)
		case j == 1 && rng.IntN(4) > 0:
			role, title = account.RoleChampion, pick(championTitles)
		case rng.IntN(6) == 0:
			role, title = account.RoleBlocker, pick(influencerTitles)
		case rng.IntN(2) == 0:
			role, title = account.RoleUser, pick(userTitles)
		}
		first, last := pick(firstNames), pick(lastNames)
		f := account.StakeholderFields{Name: first + " " + last, Title: title, Role: role, Strength: strengths[rng.IntN(len(strengths))],
			Email: strings.ToLower(first) + "." + strings.ToLower(strings.NewReplacer("'", "", "ü", "ue", "í", "i").Replace(last)) + "@example.com",
			Phone: fmt.Sprintf("+49 30 %04d %03d", rng.IntN(10000), rng.IntN(1000))}
		if j > 0 {
			f.ReportsToID = ids[rng.IntN(min(j, 2))]
		}
		s, err := st.CreateStakeholder(ctx, sc, auth.RoleAdmin, accountID, f)
		if err != nil {
			return nil, fmt.Errorf("demo: stakeholder: %w", err)
		}
		ids = append(ids, s.ID)
	}
	return ids, nil
}

func seedInteractions(ctx context.Context, st *account.Store, sc db.Scope, rng *rand.Rand, accountID uuid.UUID,
	people []uuid.UUID, kams []auth.Member, today time.Time, pick func([]string) string) error {
	n := 1 + rng.IntN(4)
	for range n {
		kind := account.Kinds[rng.IntN(len(account.Kinds))]
		f := account.InteractionFields{OccurredOn: today.AddDate(0, 0, -rng.IntN(180)), Kind: kind, Summary: pick(summaries[kind])}
		if kind != account.KindNote && len(people) > 0 {
			f.Participants = []uuid.UUID{people[rng.IntN(len(people))]}
		}
		if rng.IntN(2) == 0 && len(kams) > 0 {
			f.NextStep = pick(nextSteps)
			f.NextStepDue = f.OccurredOn.AddDate(0, 0, 7+rng.IntN(30))
			f.NextStepOwnerID = kams[rng.IntN(len(kams))].UserID
		}
		i, err := st.CreateInteraction(ctx, sc, auth.RoleAdmin, accountID, f)
		if err != nil {
			return fmt.Errorf("demo: interaction: %w", err)
		}
		// Most old next steps were done; some stay open (and overdue).
		if f.NextStep != "" && f.NextStepDue.Before(today) && rng.IntN(3) > 0 {
			if err := st.CompleteNextStep(ctx, sc, auth.RoleAdmin, accountID, i.ID, true); err != nil {
				return fmt.Errorf("demo: complete step: %w", err)
			}
		}
	}
	return nil
}
