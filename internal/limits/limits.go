// Package limits holds the longest text each kind of field accepts, in
// characters (Unicode code points), in one place: the form kit refuses
// longer input before anything reaches the database (a field error, 422),
// the domain packages check the same limits for imports and the API, and
// the templates set them as maxlength.
package limits

const (
	// Email is an e-mail address (RFC 5321's path limit).
	Email = 254
	// Password is a password (hashing longer ones only costs time).
	Password = 128
	// Name is a person's, an account's or an organisation's name, a job
	// title, a goal title.
	Name = 200
	// Label is a short label: a reference, industry, region, country,
	// segment, a product, criterion or review name, a custom measure, one
	// region or industry of a KAM's profile.
	Label = 100
	// Phone is a phone number as typed.
	Phone = 50
	// Line is one line of text: an action, a product description, one
	// rubric line.
	Line = 500
	// Sentence is a reason or a next step: a criterion's description, an
	// assignment reason, an interaction's next step.
	Sentence = 1000
	// Paragraph is a short text: a plan's purpose, score evidence, a
	// review decision's reason, a KAM's profile notes.
	Paragraph = 2000
	// Notes is free text: account and stakeholder notes, an interaction's
	// summary.
	Notes = 10000
	// Filename is an uploaded file's name as kept (in bytes).
	Filename = 255
)
