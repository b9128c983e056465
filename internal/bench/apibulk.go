package bench

import "fmt"

// BulkRequests and BulkItems shape the API bulk upsert the budget speaks
// of (issue 18: 10,000 accounts in under 10 s): ten requests of 1,000.
const (
	BulkRequests = 10
	BulkItems    = 1000
)

// BulkAccounts are the items of request req (0 … BulkRequests−1) of the
// API bulk upsert: BulkItems new accounts, each named name and its
// number, with an external reference "CRM-<number>". The benchmark binary
// and the server's Go benchmark send the same requests.
func BulkAccounts(req int, name string) []map[string]any {
	items := make([]map[string]any, BulkItems)
	for i := range items {
		k := req*BulkItems + i
		items[i] = map[string]any{"external_ref": fmt.Sprint("CRM-", k), "name": fmt.Sprintf("%s %05d", name, k),
			"industry": []string{"Retail", "Energy", "Finance"}[k%3], "region": "EMEA", "status": "customer",
			"annual_revenue": 1000 + k, "revenue_potential": 5000 + k}
	}
	return items
}
