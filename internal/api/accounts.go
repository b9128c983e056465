package api

import "errors"
import "net/http"
import "net/url"
import "strconv"
import "strings"
import "time"

import "github.com/go-chi/chi/v5"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/importer"
import "pareto/internal/keyset"

// amount is money as a JSON number with its cents ("1250000.50").
type amount account.Money

func (m amount) MarshalJSON() ([]byte, error) { return []byte(account.Money(m).Plain()), nil }

// accountJSON is an account as the API shows it.
type accountJSON struct {
	ID               uuid.UUID  `json:"id"`
	Name             string     `json:"name"`
	ExternalRef      *string    `json:"external_ref"`
	Industry         string     `json:"industry"`
	Region           string     `json:"region"`
	Country          string     `json:"country"`
	Segment          string     `json:"segment"`
	Status           string     `json:"status"`
	CustomerSince    *string    `json:"customer_since"`
	AnnualRevenue    amount     `json:"annual_revenue"`
	RevenuePotential amount     `json:"revenue_potential"`
	Revenue          amount     `json:"revenue"`
	Notes            string     `json:"notes"`
	KeyStatus        string     `json:"key_status"`
	KAMUserID        *uuid.UUID `json:"kam_user_id"`
	KAMName          string     `json:"kam_name"`
	Archived         bool       `json:"archived"`
	ArchivedAt       *time.Time `json:"archived_at"`
	Version          int        `json:"version"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

func accountOut(a account.Account) accountJSON {
	out := accountJSON{ID: a.ID, Name: a.Name, ExternalRef: db.Null(a.ExternalRef), Industry: a.Industry, Region: a.Region,
		Country: a.Country, Segment: a.Segment, Status: string(a.Status), AnnualRevenue: amount(a.AnnualRevenue),
		RevenuePotential: amount(a.RevenuePotential), Revenue: amount(a.Revenue), Notes: a.Notes, KeyStatus: string(a.KeyStatus),
		KAMUserID: db.Null(a.KAMUserID), KAMName: a.KAMName, Archived: a.Archived(), ArchivedAt: db.NullTime(a.ArchivedAt),
		Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if !a.CustomerSince.IsZero() {
		d := a.CustomerSince.Format(time.DateOnly)
		out.CustomerSince = &d
	}
	return out
}

// etag is a record's version as an entity tag.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch is the version an update's If-Match names: errPrecondition
// without one, a field error when it is not an ETag this API gave.
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, errPrecondition
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 1 {
		return 0, db.FieldErrors{"If-Match": "Send the ETag of the record as you read it, e.g. \"3\"."}
	}
	return v, nil
}

func knownAccountField(k string) bool {
	_, ok := account.FieldByKey(k)
	return ok
}

// accountInput reads a JSON account over base (the current values of an
// update; nil for a new account) and parses it with the account rules.
func accountInput(r *http.Request, base account.Input) (account.Fields, error) {
	var obj map[string]any
	if err := readJSON(r, &obj); err != nil {
		return account.Fields{}, err
	}
	in, fe := fields(obj, knownAccountField)
	if base != nil {
		for k, v := range in {
			base[k] = v
		}
		in = base
	}
	f, err := account.Input(in).Parse()
	return f, merged(fe, err)
}

// accountFilter reads the list's query: the account list's filters.
func accountFilter(r *http.Request) (account.Filter, error) {
	q := r.URL.Query()
	f := account.Filter{Q: q.Get("q"), Industry: q.Get("industry"), Region: q.Get("region"), Segment: q.Get("segment"),
		Status: account.Status(q.Get("status")), KeyStatus: account.KeyStatus(q.Get("key_status")), KAM: q.Get("kam"),
		Sort: q.Get("sort")}
	fe := db.FieldErrors{}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "Use prospect, customer or former.")
	}
	if f.KeyStatus != "" && !f.KeyStatus.Valid() {
		fe.Add("key_status", "Use candidate, key, declined, watch or former.")
	}
	if _, ok := account.SortColumns[f.Sort]; f.Sort != "" && !ok {
		fe.Add("sort", "Sort by name, external_ref, industry, region, status, key_status, kam, annual_revenue, revenue_potential, headroom or updated_at.")
	}
	if f.KAM != "" && f.KAM != "none" {
		if _, err := uuid.Parse(f.KAM); err != nil {
			fe.Add("kam", "Use a user id, or none for accounts without a KAM.")
		}
	}
	f.Desc = either(q, "order", "asc", "desc", "Use asc or desc.", fe)
	f.Archived = either(q, "archived", "false", "true", "Use true or false.", fe)
	f.Cursor, f.PerPage = pageQuery(q, fe)
	return f, fe.Err()
}

// pageQuery reads a list's cursor and limit (1–500, default 50); a bad
// limit is a field error in fe.
func pageQuery(q url.Values, fe db.FieldErrors) (keyset.Cursor, int) {
	per := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			fe.Add("limit", "Use a number from 1 to 500.")
		}
		per = n
	}
	return keyset.Parse(q.Get("cursor")), per
}

// either reads a query value that is one of two words, off (also when
// absent) or on, as whether it is on; any other value is a field error
// (msg) in fe.
func either(q url.Values, key, off, on, msg string, fe db.FieldErrors) bool {
	switch q.Get(key) {
	case "", off:
		return false
	case on:
		return true
	}
	fe.Add(key, msg)
	return false
}

// list is one page of a list.
type list[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

func nextCursor(l keyset.Links) *string {
	if !l.HasNext {
		return nil
	}
	s := l.Next.String()
	return &s
}

func (a *API) accountList(w http.ResponseWriter, r *http.Request) error {
	f, err := accountFilter(r)
	if err != nil {
		return err
	}
	page, err := a.accounts.Accounts(r.Context(), scope(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(page.Accounts, nextCursor(page.Links), accountOut))
	return nil
}

// writeAccount answers one account with its ETag.
func writeAccount(w http.ResponseWriter, status int, acc account.Account) {
	writeVersioned(w, status, acc.Version, accountOut(acc))
}

// accountRecord is an account as the API reads and shows it.
func (a *API) accountRecord() resource[account.Account] {
	return resource[account.Account]{ids: []string{"accountID"}, get: byID(a.accounts.Account), write: writeAccount}
}

func (a *API) accountShow(w http.ResponseWriter, r *http.Request) error {
	return a.accountRecord().show(w, r)
}

func (a *API) accountCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := accountInput(r, nil)
	if err != nil {
		return err
	}
	acc, err := a.accounts.CreateAccount(r.Context(), scope(r), role(r), f)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/accounts/"+acc.ID.String())
	writeAccount(w, http.StatusCreated, acc)
	return nil
}

// accountUpdate changes the fields the body names (If-Match required).
func (a *API) accountUpdate(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, a.accountRecord(),
		func(cur account.Account) (account.Fields, error) { return accountInput(r, cur.FormValues()) },
		func(ids []uuid.UUID, f account.Fields, version int) (account.Account, error) {
			return a.accounts.UpdateAccount(r.Context(), scope(r), role(r), ids[0], f, version)
		})
}

// accountArchive archives an account; an If-Match, when sent, must be
// current.
func (a *API) accountArchive(w http.ResponseWriter, r *http.Request) error {
	ids, cur, err := a.accountRecord().read(r)
	if err != nil {
		return err
	}
	if r.Header.Get("If-Match") != "" {
		version, err := ifMatch(r)
		if err != nil {
			return err
		}
		if version != cur.Version {
			return &account.ConflictError{Current: cur}
		}
	}
	acc, err := a.accounts.ArchiveAccount(r.Context(), scope(r), role(r), ids[0])
	if err != nil {
		return err
	}
	writeAccount(w, http.StatusOK, acc)
	return nil
}

// accountUpsert creates or updates the account with the external
// reference the path names (the CRM's id): the account import's rules,
// one row. Fields the body leaves out stay as they are.
func (a *API) accountUpsert(w http.ResponseWriter, r *http.Request) error {
	var obj map[string]any
	if err := readJSON(r, &obj); err != nil {
		return err
	}
	rec, fe := fields(obj, knownAccountField)
	if err := fe.Err(); err != nil {
		return err
	}
	rec["external_ref"] = chi.URLParam(r, "ref")
	p, err := a.imports.Apply(r.Context(), scope(r), role(r), account.Import, importer.RowsOf([]map[string]string{rec}), "api")
	if errors.Is(err, importer.ErrInvalid) {
		fe := db.FieldErrors{}
		for _, e := range p.Errors {
			fe.Add(e.Field, e.Message)
		}
		return fe
	}
	if err != nil {
		return err
	}
	res := p.Rows[0]
	id, _ := uuid.Parse(res.EntityID)
	acc, err := a.accounts.Account(r.Context(), scope(r), id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Op == importer.OpCreate {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/accounts/"+acc.ID.String())
	}
	writeAccount(w, status, acc)
	return nil
}

// bulkResult is what a bulk upsert did.
type bulkResult struct {
	Created   int        `json:"created"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Items     []bulkItem `json:"items"`
}

type bulkItem struct {
	Index       int       `json:"index"`
	ID          uuid.UUID `json:"id"`
	ExternalRef string    `json:"external_ref,omitempty"`
	Result      string    `json:"result"`
}

// bulkItems reads {"items": [...]} of at most maxBulk objects, each
// checked by known and needing the required fields.
func bulkItems(r *http.Request, known func(string) bool, required ...string) ([]map[string]string, error) {
	var body struct {
		Items []map[string]any `json:"items"`
	}
	if err := readJSON(r, &body); err != nil {
		return nil, err
	}
	switch n := len(body.Items); {
	case n == 0:
		return nil, db.FieldErrors{"items": "Send at least one item."}
	case n > maxBulk:
		return nil, db.FieldErrors{"items": "Send at most " + strconv.Itoa(maxBulk) + " items per request."}
	}
	recs := make([]map[string]string, len(body.Items))
	p := &bulkErrors{}
	for i, obj := range body.Items {
		rec, fe := fields(obj, known)
		for _, k := range required {
			if strings.TrimSpace(rec[k]) == "" {
				fe.Add(k, "Required.")
			}
		}
		for k, msg := range fe {
			p.add(i, k, msg)
		}
		recs[i] = rec
	}
	if len(p.errs) > 0 {
		return nil, p
	}
	return recs, nil
}

// bulkErrors are problems of items found before planning.
type bulkErrors struct{ errs []FieldError }

func (b *bulkErrors) add(i int, field, msg string) {
	b.errs = append(b.errs, FieldError{Index: &i, Field: field, Message: msg})
}

func (b *bulkErrors) Error() string { return strconv.Itoa(len(b.errs)) + " item errors" }

// applyBulk plans and writes recs as kind k, all or nothing, and
// answers what was done (or 422 with each item's problems).
func (a *API) applyBulk(w http.ResponseWriter, r *http.Request, k *importer.Kind, recs []map[string]string, ref func(int) string) error {
	p, err := a.imports.Apply(r.Context(), scope(r), role(r), k, importer.RowsOf(recs), "api")
	if errors.Is(err, importer.ErrInvalid) {
		a.failPlan(w, r, p)
		return nil
	}
	if err != nil {
		return err
	}
	out := bulkResult{Created: p.Creates, Updated: p.Updates, Unchanged: p.Unchanged, Items: make([]bulkItem, len(p.Rows))}
	for i, row := range p.Rows {
		id, _ := uuid.Parse(row.EntityID)
		out.Items[i] = bulkItem{Index: row.Line - 1, ID: id, ExternalRef: ref(row.Line - 1), Result: string(row.Op)}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// accountBulk upserts up to maxBulk accounts by external reference.
func (a *API) accountBulk(w http.ResponseWriter, r *http.Request) error {
	recs, err := bulkItems(r, knownAccountField, "external_ref")
	if err != nil {
		return err
	}
	return a.applyBulk(w, r, account.Import, recs, func(i int) string { return strings.TrimSpace(recs[i]["external_ref"]) })
}
