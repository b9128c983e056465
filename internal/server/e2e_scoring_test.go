package server_test

import "context"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/chromedp/chromedp"
import "github.com/chromedp/chromedp/kb"
import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/scoring"

// scoringWaitText waits until the first element matching css contains want.
func scoringWaitText(t *testing.T, ctx context.Context, css, want string) {
	t.Helper()
	js := `(document.querySelector(` + strconv.Quote(css) + `)||{textContent:""}).textContent.includes(` + strconv.Quote(want) + `)`
	deadline := time.Now().Add(15 * time.Second)
	for {
		// A navigation under way ends the poll; poll again on the new page.
		c, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := chromedp.Run(c, chromedp.Poll[bool](js))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			browserScreenshot(t, ctx, "failed")
			t.Fatalf("waiting for %q in %s: %v", want, css, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestScoringJourney: an admin enables criteria and sets explicit weights;
// a leader scores three accounts in the matrix (htmx cells), runs a
// what-if, starts a review and designates a key account.
func TestScoringJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journey")
	}
	a := newTestApp(t)
	_, admin := a.signup("Journey Co", "admin@journey.test")
	a.addMember(admin, "leader@journey.test", "Lee Leader", auth.RoleLeader)
	ctx := context.Background()
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	var accounts []uuid.UUID
	err := a.DB.Tx(ctx, sc, recounted(sc.TenantID, func(tx pgx.Tx) error {
		for _, x := range []struct {
			name     string
			rev, pot int
		}{{"Globex", 900000, 1200000}, {"Initech", 200000, 2000000}, {"Umbrella", 400000, 500000}} {
			var id uuid.UUID
			if err := tx.QueryRow(ctx, `INSERT INTO accounts (name, annual_revenue, revenue_potential, status)
				VALUES ($1, $2, $3, 'customer') RETURNING id`, x.name, x.rev, x.pot).Scan(&id); err != nil {
				return err
			}
			accounts = append(accounts, id)
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowserFor(t, 3*time.Minute)

	// The admin enables three standard criteria and sets explicit weights.
	browserSignIn(t, b, a.URL, "admin@journey.test", "nav.mainnav")
	for _, code := range []string{"product_fit", "revenue_potential", "existing_relationships"} {
		browserDo(t, b, "enable "+code,
			chromedp.Navigate(a.URL+"/scoring/criteria"),
			chromedp.Click(chromedp.CSS(`form[action="/scoring/criteria/library"]:has(input[value="`+code+`"]) button`)),
			chromedp.WaitVisible(chromedp.CSS(".flash-success")),
		)
	}
	cfg, err := scoring.NewStore(a.DB).Config(ctx, sc)
	if err != nil || len(cfg.Weights) != 3 {
		t.Fatalf("criteria: %v %v", err, cfg.Weights)
	}
	crit := cfg.Weights
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(a.URL + "/scoring/criteria"),
		chromedp.Click(chromedp.CSS(`input[name="mode"][value="explicit"]`))}
	for i, v := range []string{"50", "30", "20"} {
		steps = append(steps, chromedp.SetValue(chromedp.CSS("#weight_"+crit[i].CriterionID.String()), v))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(`form[action="/scoring/criteria/weights"] button[type="submit"]`)))
	browserDo(t, b, "set weights", steps...)
	scoringWaitText(t, b, ".flash-success", "Weights saved")
	browserScreenshot(t, b, "criteria")
	browserDo(t, b, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#email")))

	// The leader scores three accounts, cell by cell; each cell saves itself.
	browserSignIn(t, b, a.URL, "leader@journey.test", "nav.mainnav")
	scores := map[uuid.UUID][]string{accounts[0]: {"9", "4", "8"}, accounts[1]: {"6", "10", "5"}, accounts[2]: {"4", "5", "4"}}
	browserDo(t, b, "open the matrix", chromedp.Navigate(a.URL+"/scoring/matrix"), chromedp.WaitVisible(chromedp.CSS("table.score-matrix")))
	for _, acc := range accounts {
		for i, v := range scores[acc] {
			sel := `input[name="` + scoring.ScoreField(crit[i].CriterionID) + `"][form="f-` + acc.String() + `"]`
			browserDo(t, b, "score a cell", chromedp.SendKeys(chromedp.CSS(sel), v+"\t"))
		}
		scoringWaitText(t, b, "#status-"+acc.String(), "3/3")
	}
	// A refused value shows its message beside the row, and nothing is saved.
	bad := `input[name="` + scoring.ScoreField(crit[0].CriterionID) + `"][form="f-` + accounts[2].String() + `"]`
	// (Selected and typed over: emptying the cell first would clear it.)
	browserDo(t, b, "type a bad score", chromedp.Focus(chromedp.CSS(bad)), chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`),
		chromedp.SendKeys(chromedp.CSS(bad), "42\t"))
	scoringWaitText(t, b, "#status-"+accounts[2].String()+" .error", "Enter a whole number")
	// The browser logs the refused save's 422; that one is expected.
	expectConsoleError(t, b, "422 (Unprocessable Entity) "+a.URL+"/accounts/"+accounts[2].String()+"/scores")
	browserScreenshot(t, b, "matrix")
	bd, err := scoring.NewStore(a.DB).Breakdown(ctx, sc, accounts[2])
	if err != nil || bd.Cells[0].Contribution.Score != 4 || !bd.Score.Complete {
		t.Fatalf("Umbrella: %v %+v", err, bd.Cells)
	}
	// Defect (issue 17): the message was only in the score column, off
	// screen, and the cell kept the bad value. Now the cell itself says
	// what was refused, is marked invalid, and shows the saved 4 again.
	badCell := "#cell-" + accounts[2].String() + "-" + crit[0].CriterionID.String()
	scoringWaitText(t, b, badCell+" .cell-error", "“42” not saved")
	if got := browserValue(t, b, badCell+" input"); got != "4" {
		t.Errorf("the refused cell shows %q, want the saved 4 back", got)
	}
	inv, err := chromedp.Run(b, chromedp.Evaluate[string](`(() => { const i = document.querySelector(`+strconv.Quote(badCell+" input")+`);
		return i.getAttribute("aria-invalid") + " " + (document.getElementById(i.getAttribute("aria-describedby")) || {}).className })()`))
	if err != nil || inv != "true error cell-error" {
		t.Errorf("the refused input's aria-invalid and described-by message: %q %v", inv, err)
	}

	// Keyboard only: Umbrella's row is scored again with arrows, digits and
	// Enter; Escape puts a cell back without saving. On Umbrella's first
	// cell (the refused one): 3 Enter (saves, clears the error), → 6 Enter,
	// → 1 Escape (back to 4), ↑ lands on Initech's third cell.
	u := accounts[2].String()
	browserDo(t, b, "focus Umbrella's first cell", chromedp.Focus(chromedp.CSS("#in-"+u+"-"+crit[0].CriterionID.String())),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`))
	keys := func(what string, ks ...string) {
		for _, k := range ks {
			browserDo(t, b, what, chromedp.KeyEvent(k))
		}
	}
	selectAll := func() {
		browserDo(t, b, "select the cell", chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`))
	}
	keys("3 Enter", "3", kb.Enter)
	scoringWaitText(t, b, "#status-"+u, "Saved")
	keys("→", kb.ArrowRight)
	selectAll()
	keys("6 Enter", "6", kb.Enter)
	keys("→", kb.ArrowRight)
	selectAll()
	keys("1 Escape ↑", "1", kb.Escape, kb.ArrowUp)
	focused, err := chromedp.Run(b, chromedp.Evaluate[string](`document.activeElement.id`))
	if want := "in-" + accounts[1].String() + "-" + crit[2].CriterionID.String(); err != nil || focused != want {
		t.Errorf("after ↑ the focus is on %q, want %q (%v)", focused, want, err)
	}
	if got := browserValue(t, b, "#in-"+u+"-"+crit[2].CriterionID.String()); got != "4" {
		t.Errorf("Escape left %q in the cell, want the saved 4", got)
	}
	// Umbrella is now 0.5×3 + 0.3×6 + 0.2×4 = 4.1, and the refused
	// cell's error is gone.
	scoringWaitText(t, b, "#status-"+u, "4.1")
	if n, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("#row-`+u+` .cell-error").length`)); err != nil || n != 0 {
		t.Errorf("%d cell errors left on Umbrella's row after a good save (%v)", n, err)
	}
	bd, err = scoring.NewStore(a.DB).Breakdown(ctx, sc, accounts[2])
	if err != nil || bd.Cells[0].Contribution.Score != 3 || bd.Cells[1].Contribution.Score != 6 || bd.Cells[2].Contribution.Score != 4 {
		t.Fatalf("Umbrella after the keyboard: %v %+v", err, bd.Cells)
	}

	// Issue 17: a cell can be cleared back to unscored from the keyboard
	// (Delete, Enter): Umbrella drops to 2 of 3 scored, its history says
	// the 4 was cleared, and typing 4 again puts it back at 4.1.
	third := "#in-" + u + "-" + crit[2].CriterionID.String()
	browserDo(t, b, "focus Umbrella's third cell", chromedp.Focus(chromedp.CSS(third)),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`))
	keys("Delete Enter", kb.Delete, kb.Enter)
	scoringWaitText(t, b, "#status-"+u, "2/3")
	if bd, err = scoring.NewStore(a.DB).Breakdown(ctx, sc, accounts[2]); err != nil || bd.Score.Coverage() != "2/3" ||
		bd.Changes[0].New != 0 || bd.Changes[0].Old == nil || *bd.Changes[0].Old != 4 {
		t.Fatalf("Umbrella after clearing a cell: %v %+v %+v", err, bd.Score, bd.Changes)
	}
	keys("4 Enter", "4", kb.Enter)
	scoringWaitText(t, b, "#status-"+u, "4.1")
	browserDo(t, b, "Umbrella's score page", chromedp.Navigate(a.URL+"/scoring/accounts/"+u), chromedp.WaitVisible(chromedp.CSS("#score")))
	if got := browserText(t, b, "body"); !strings.Contains(got, "cleared") {
		t.Error("the score history does not show the clearing")
	}

	// The shortlist ranks them: Globex 7.3, Initech 7.0, Umbrella 4.1.
	browserDo(t, b, "open the shortlist", chromedp.Navigate(a.URL+"/shortlist"), chromedp.WaitVisible(chromedp.CSS("table.shortlist")))
	if first := browserText(t, b, "table.shortlist tbody tr:first-child"); !strings.Contains(first, "Globex") || !strings.Contains(first, "7.3") {
		t.Fatalf("first row %q", first)
	}
	browserScreenshot(t, b, "shortlist")

	// What if revenue potential mattered most? Initech climbs.
	steps = nil
	for i, v := range []string{"20", "70", "10"} {
		steps = append(steps, chromedp.SetValue(chromedp.CSS("#wi-"+crit[i].CriterionID.String()), v))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(`form[action="/shortlist/whatif"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.whatif")))
	browserDo(t, b, "what-if", steps...)
	if first := browserText(t, b, "table.whatif tbody tr:first-child"); !strings.Contains(first, "Initech") || !strings.Contains(first, "▲1") {
		t.Fatalf("what-if first row %q", first)
	}
	browserScreenshot(t, b, "whatif")
	if got, _ := scoring.NewStore(a.DB).Config(ctx, sc); got.Weights[1].BPS != 3000 {
		t.Fatal("the what-if saved weights")
	}

	// The leader starts a review and designates Globex as a key account.
	browserDo(t, b, "start a review",
		chromedp.Navigate(a.URL+"/shortlist/reviews"),
		chromedp.SendKeys(chromedp.CSS("#review-name"), "FY27 H1"),
		chromedp.Click(chromedp.CSS(`form[action="/shortlist/reviews"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.review-entries")),
	)
	g := accounts[0].String()
	browserDo(t, b, "designate Globex",
		chromedp.SetValue(chromedp.CSS("#decision-"+g), "key"),
		chromedp.SendKeys(chromedp.CSS("#reason-"+g), "Best product fit; strategic partner"),
		chromedp.Click(chromedp.CSS("#entry-"+g+" button[type=submit]")),
	)
	scoringWaitText(t, b, ".flash-success", "Decision saved")
	browserScreenshot(t, b, "review")
	bd, err = scoring.NewStore(a.DB).Breakdown(ctx, sc, accounts[0])
	if err != nil || bd.Account.KeyStatus != "key" || len(bd.KeyChanges) != 1 || bd.KeyChanges[0].Reason != "Best product fit; strategic partner" {
		t.Fatalf("Globex: %v %+v %+v", err, bd.Account, bd.KeyChanges)
	}
	browserDo(t, b, "account score page", chromedp.Navigate(a.URL+"/scoring/accounts/"+g), chromedp.WaitVisible(chromedp.CSS("#score")))
	browserScreenshot(t, b, "account")
}
