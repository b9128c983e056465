package scoring

// LibraryEntry is one of the standard selection criteria an admin can
// enable with one click, with a description and a default rubric.
type LibraryEntry struct {
	Code        string
	Name        string
	Description string
	Rubric1     string
	Rubric5     string
	Rubric10    string
}

// Library is the ten standard criteria of the KAM method, in the order the
// method lists them.
var Library = []LibraryEntry{
	{
		Code: "product_fit", Name: "Product fit",
		Description: "How well our products and services solve this customer's important problems.",
		Rubric1:     "Our offer solves none of their important problems; a fit only with heavy customisation.",
		Rubric5:     "Part of our range fits a real need; gaps exist that competitors cover better.",
		Rubric10:    "Our core offer matches their needs closely; they would be hard-pressed to find a better fit.",
	},
	{
		Code: "avg_transaction_size", Name: "Average transaction size",
		Description: "The typical value of one order or contract compared with our customer base.",
		Rubric1:     "Small, occasional orders well below our average.",
		Rubric5:     "Orders around our customer average.",
		Rubric10:    "Orders among the largest we handle, several times our average.",
	},
	{
		Code: "revenue_potential", Name: "Revenue potential",
		Description: "How much more this customer could buy from us in the next two to three years (share of wallet).",
		Rubric1:     "We already have nearly all of their spend, or their spend is shrinking.",
		Rubric5:     "Moderate room to grow: some categories or sites not yet won.",
		Rubric10:    "Large untapped budget in categories we sell; we hold a small share today.",
	},
	{
		Code: "buying_process", Name: "Buying process",
		Description: "How accessible and predictable their purchasing is: decision makers, procurement rules, cycle length.",
		Rubric1:     "Opaque, tender-only buying with no access to decision makers.",
		Rubric5:     "A known process with some access; cycles are long but predictable.",
		Rubric10:    "We know every step and person; they involve us early and buy without a tender.",
	},
	{
		Code: "partner_history", Name: "Partner history and potential",
		Description: "The track record of working together and the willingness to build a partnership (joint planning, pilots).",
		Rubric1:     "Transactional or troubled history; no interest in a closer relationship.",
		Rubric5:     "A reliable supplier relationship with occasional joint work.",
		Rubric10:    "A long record of joint projects; they treat us as a strategic partner.",
	},
	{
		Code: "customer_tenure", Name: "Customer tenure",
		Description: "How long they have been a customer and how stable the relationship has been.",
		Rubric1:     "New or lapsed customer, or one that churned before.",
		Rubric5:     "A customer for a few years with steady business.",
		Rubric10:    "A customer for many years through changes of people and strategy.",
	},
	{
		Code: "solvency", Name: "Solvency",
		Description: "Financial health and payment behaviour: can they pay, and do they pay on time?",
		Rubric1:     "Serious credit risk; late payments or a weak rating.",
		Rubric5:     "Sound finances; occasional payment delays.",
		Rubric10:    "Excellent rating; pays reliably and on time.",
	},
	{
		Code: "existing_relationships", Name: "Existing relationships",
		Description: "The breadth and strength of our contacts with their decision makers, influencers and users.",
		Rubric1:     "One contact at the operational level, or none.",
		Rubric5:     "Good contacts in one department, some access to management.",
		Rubric10:    "Trusted relationships across departments, including executives and a champion.",
	},
	{
		Code: "cultural_fit", Name: "Cultural fit",
		Description: "How well our values and ways of working match: openness, long-term thinking, quality focus.",
		Rubric1:     "Very different values; price-only, adversarial dealings.",
		Rubric5:     "Compatible in most respects; some friction.",
		Rubric10:    "Shared values and ways of working; collaboration comes naturally.",
	},
	{
		Code: "geographic_alignment", Name: "Geographic alignment",
		Description: "How well their locations match where we can serve, deliver and support them.",
		Rubric1:     "Mostly in regions we cannot serve well.",
		Rubric5:     "Partly within our footprint.",
		Rubric10:    "Entirely within our core regions, close to our people and sites.",
	},
}

// LibraryEntryByCode finds a standard criterion.
func LibraryEntryByCode(code string) (LibraryEntry, bool) {
	for _, e := range Library {
		if e.Code == code {
			return e, true
		}
	}
	return LibraryEntry{}, false
}
