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

// Library is the standard criteria of the KAM method, in the order the
// method lists them, written as the method defines them (issue 14 rewrote
// product fit, buying process, existing relationships and cultural fit,
// and added referrals and credibility and strategic importance; tenants
// that still had the earlier text got the new one by migration
// 00016_criteria_library.sql, with a notice).
var Library = []LibraryEntry{
	{
		Code: "product_fit", Name: "Product fit",
		Description: "This client's target market for the product or service we sell: how large it is and how much of their business depends on it.",
		Rubric1:     "Their market for what we sell is small or shrinking; few of their own customers need it.",
		Rubric5:     "A solid market for what we sell: a real part of their business depends on it.",
		Rubric10:    "A large, growing market for what we sell: it is central to how they serve their customers.",
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
		Description: "How they buy and pay: one decision maker or a buying organisation (procurement, committees, tenders), how long decisions take, and how long payment takes.",
		Rubric1:     "A large buying organisation with tenders and committees; decisions take many months and payment takes longer than 90 days.",
		Rubric5:     "A buying team with a known process; decisions in weeks, payment within about 60 days.",
		Rubric10:    "A single decision maker who buys quickly and pays within 30 days.",
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
		Description: "The account's relationships with other businesses that may become our clients: partners, suppliers and customers it can introduce us to.",
		Rubric1:     "Few links to businesses we could serve; no route to new clients through them.",
		Rubric5:     "Some partners, suppliers or customers we could serve; introductions are possible.",
		Rubric10:    "Connected to many businesses we could serve and willing to introduce us: a gateway to new clients.",
	},
	{
		Code: "cultural_fit", Name: "Cultural fit",
		Description: "How the account treats its customers, its employees and our employees.",
		Rubric1:     "Treats its customers and staff poorly and our people as adversaries.",
		Rubric5:     "Fair with its customers and staff; correct and businesslike with our people.",
		Rubric10:    "Known for treating customers and employees well; treats our people with respect, as partners.",
	},
	{
		Code: "geographic_alignment", Name: "Geographic alignment",
		Description: "How well their locations match where we can serve, deliver and support them.",
		Rubric1:     "Mostly in regions we cannot serve well.",
		Rubric5:     "Partly within our footprint.",
		Rubric10:    "Entirely within our core regions, close to our people and sites.",
	},
	{
		Code: "referrals_credibility", Name: "Referrals and credibility",
		Description: "Whether they refer prospects to us and lend us credibility in their industry: references, case studies, introductions.",
		Rubric1:     "Would not recommend us or be named as our customer.",
		Rubric5:     "Acts as a reference when asked; makes the occasional introduction.",
		Rubric10:    "Actively refers prospects and speaks for us; their name opens doors in their industry.",
	},
	{
		Code: "strategic_importance", Name: "Strategic importance",
		Description: "Whether the account gives us entry to new markets or strengthens our market positioning, beyond its own revenue.",
		Rubric1:     "No effect on our markets or standing beyond their own business.",
		Rubric5:     "Strengthens our position in a market we already serve.",
		Rubric10:    "Our entry to a new market, or a flagship customer that defines how the market sees us.",
	},
}

// PreviousLibrary is the earlier text of the standard criteria issue 14
// rewrote, as tenants may still carry it: migration
// 00016_criteria_library.sql replaced exactly this text (name,
// description and rubric all unchanged) and left any edited criterion
// alone.
var PreviousLibrary = []LibraryEntry{
	{
		Code: "product_fit", Name: "Product fit",
		Description: "How well our products and services solve this customer's important problems.",
		Rubric1:     "Our offer solves none of their important problems; a fit only with heavy customisation.",
		Rubric5:     "Part of our range fits a real need; gaps exist that competitors cover better.",
		Rubric10:    "Our core offer matches their needs closely; they would be hard-pressed to find a better fit.",
	},
	{
		Code: "buying_process", Name: "Buying process",
		Description: "How accessible and predictable their purchasing is: decision makers, procurement rules, cycle length.",
		Rubric1:     "Opaque, tender-only buying with no access to decision makers.",
		Rubric5:     "A known process with some access; cycles are long but predictable.",
		Rubric10:    "We know every step and person; they involve us early and buy without a tender.",
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
