package kpi

import "cmp"
import "slices"
import "strings"

// SortKeys are the accounts table's sort keys; "revenue" is the default.
var SortKeys = []string{"name", "kam", "revenue", "share", "growth", "yoy", "csat", "nps", "adoption", "upsell", "cross"}

// ValidSortKey reports whether key is one of SortKeys.
func ValidSortKey(key string) bool { return slices.Contains(SortKeys, key) }

// SortAccounts orders rows by key (see SortKeys), descending when desc.
// Rows without a value for the key come last either way; ties keep
// revenue order, then name.
func SortAccounts(rows []AccountRow, key string, desc bool) {
	value := func(r *AccountRow) Value {
		switch key {
		case "revenue", "share":
			return Some(r.Revenue.Total)
		case "growth":
			return r.GrowthPoP
		case "yoy":
			return r.GrowthYoY
		case "csat":
			return r.CSAT
		case "nps":
			return r.NPS
		case "adoption":
			return r.Adoption
		case "upsell":
			return Some(r.Upsell)
		case "cross":
			return Some(float64(r.CrossSells))
		}
		return Value{}
	}
	sortRows(rows, func(a, b *AccountRow) int {
		var c int
		switch key {
		case "name":
			c = strings.Compare(strings.ToLower(a.Account.Name), strings.ToLower(b.Account.Name))
		case "kam":
			if (a.Account.KAMName == "") != (b.Account.KAMName == "") { // nobody's accounts last
				if a.Account.KAMName == "" {
					return 1
				}
				return -1
			}
			c = strings.Compare(strings.ToLower(a.Account.KAMName), strings.ToLower(b.Account.KAMName))
		default:
			va, vb := value(a), value(b)
			if va.OK != vb.OK {
				if va.OK {
					return -1
				}
				return 1
			}
			c = cmp.Compare(va.V, vb.V)
		}
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		if c = cmp.Compare(b.Revenue.Total, a.Revenue.Total); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Account.Name), strings.ToLower(b.Account.Name))
	})
}
