package main

import "net/http"
import "net/url"
import "strconv"
import "time"

import "github.com/google/uuid"

import "pareto/internal/bench"
import "pareto/internal/scoring"

// scenarioRates overrides the arrival rate for scenarios that cannot run
// at the common rate: a sign-in hashes the password with argon2id (19 MiB,
// tens of milliseconds of CPU by design), so it runs at a rate a real
// morning rush might plausibly reach.
var scenarioRates = map[string]float64{"login": 10}

// rateFor is the arrival rate of scenario name.
func rateFor(name string, common float64) float64 {
	if r, ok := scenarioRates[name]; ok {
		return min(r, common)
	}
	return common
}

// pick returns the i-th element of xs, cycling.
func pick[T any](xs []T, i int) T { return xs[i%len(xs)] }

// scoreValue is the score the i-th save writes: the same account comes
// round again every `accounts` saves, one higher each pass (mod 10), so a
// repeated save changes the cell (and re-ranks the account) rather than
// being a no-op.
func scoreValue(i, accounts int) int { return 1 + (i%accounts+i/accounts)%10 }

// scenarios are the load scenarios against base with their p99 budgets
// (keyed by scenario name).
func scenarios(base string, d data, sessions map[string]string) ([]bench.Scenario, map[string]time.Duration) {
	big := []string{sessions[d.admin.email], sessions[d.leader.email]}
	var kams []string
	for _, k := range d.kams {
		kams = append(kams, sessions[k.email])
	}
	type tenantSession struct {
		cookie   string
		accounts []uuid.UUID
	}
	var small []tenantSession
	for _, st := range d.small {
		if c, ok := sessions[st.admin.email]; ok && len(st.accounts) > 0 {
			small = append(small, tenantSession{c, st.accounts})
		}
	}
	// Three in four requests go to the big tenant (admin, leader, KAMs
	// alike where they may), one in four to a small tenant's admin.
	readers := append(append([]string{}, big...), kams...)
	accountPage := func(i int) bench.Request {
		if i%4 == 3 && len(small) > 0 {
			t := pick(small, i/4)
			return bench.Get(base+"/accounts/"+pick(t.accounts, i*7).String(), t.cookie)
		}
		return bench.Get(base+"/accounts/"+pick(d.bigAccounts, i*7919).String(), pick(readers, i))
	}
	getAny := func(path string, cookies []string) func(i int) bench.Request {
		return func(i int) bench.Request {
			if i%4 == 3 && len(small) > 0 {
				return bench.Get(base+path, pick(small, i/4).cookie)
			}
			return bench.Get(base+path, pick(cookies, i))
		}
	}
	// The budgeted pages are measured on the big tenant only.
	getBig := func(path string) func(i int) bench.Request {
		return func(i int) bench.Request { return bench.Get(base+path, pick(big, i)) }
	}
	saveScore := func(i int) bench.Request {
		// Rotate through the accounts in a stride so concurrent saves
		// land on different accounts.
		acct := pick(d.bigAccounts, i*101)
		crit := pick(d.criterionIDs, i)
		form := url.Values{scoring.ScoreField(crit): {strconv.Itoa(scoreValue(i, len(d.bigAccounts)))}}
		return bench.PostForm(base+"/accounts/"+acct.String()+"/scores", pick(big, i), form.Encode())
	}
	login := func(i int) bench.Request {
		form := url.Values{"email": {pick(d.loginPool, i)}, "password": {benchPassword}}
		return bench.PostForm(base+"/login", "", form.Encode())
	}
	status := func(codes ...int) func(int) bool {
		return func(st int) bool {
			for _, c := range codes {
				if st == c {
					return true
				}
			}
			return false
		}
	}
	ss := []bench.Scenario{
		{Name: "shortlist first page", Next: getBig("/shortlist"), OK: status(http.StatusOK)},
		{Name: "account page", Next: accountPage, OK: status(http.StatusOK)},
		{Name: "scoring matrix page", Next: getAny("/scoring/matrix", readers), OK: status(http.StatusOK)},
		{Name: "save a score", Next: saveScore, OK: status(http.StatusSeeOther, http.StatusOK)},
		{Name: "portfolio dashboard", Next: getBig("/dashboards"), OK: status(http.StatusOK)},
		{Name: "2×2 (selection × health)", Next: getBig("/health/matrix"), OK: status(http.StatusOK)},
		{Name: "risk list first page", Next: getBig("/health/risks"), OK: status(http.StatusOK)},
		{Name: "login", Next: login, OK: status(http.StatusSeeOther)},
	}
	budgets := map[string]time.Duration{
		"shortlist first page": 50 * time.Millisecond,
		"portfolio dashboard":  80 * time.Millisecond,
		"save a score":         20 * time.Millisecond,
		// Issue 15: within the dashboard budget.
		"2×2 (selection × health)": 80 * time.Millisecond,
		"risk list first page":     80 * time.Millisecond,
	}
	return ss, budgets
}
