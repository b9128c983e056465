package account

import "pareto/internal/importer"

// The column names of Salesforce's and HubSpot's standard exports (their
// standard fields' labels, as a report or an export writes them in the
// header), for the account and stakeholder imports: the importer detects
// them from a file's header and offers them on the mapping step. A column
// with no field belongs to the export but fills nothing here: its values
// are not Pareto's (Salesforce's and HubSpot's Type: Customer - Direct,
// Channel Partner / Reseller, Vendor… are not statuses; an owner is a CRM
// user, not a Pareto member); it still tells the export apart.

// accountPresets are the CRMs' company (account) exports. The CRM's own
// record id is the external reference, so a later export updates the
// same accounts (and stakeholder exports name them by it).
var accountPresets = []importer.Preset{
	{Name: "salesforce", Label: "Salesforce", Columns: []importer.PresetColumn{
		{Header: "Account ID", Field: "external_ref"},
		{Header: "Account Number", Field: "external_ref"},
		{Header: "Account Name", Field: "name"},
		{Header: "Industry", Field: "industry"},
		{Header: "Billing Country", Field: "country"},
		{Header: "Shipping Country", Field: "country"},
		{Header: "Annual Revenue", Field: "annual_revenue"},
		{Header: "Description", Field: "notes"},
		{Header: "Type"},
		{Header: "Account Owner"},
		{Header: "Account Site"},
		{Header: "Parent Account"},
		{Header: "Billing Street"},
		{Header: "Billing City"},
		{Header: "Billing State/Province"},
		{Header: "Billing Zip/Postal Code"},
		{Header: "Phone"},
		{Header: "Website"},
		{Header: "Employees"},
		{Header: "Ownership"},
		{Header: "Rating"},
		{Header: "Created Date"},
		{Header: "Last Modified Date"},
	}},
	{Name: "hubspot", Label: "HubSpot", Columns: []importer.PresetColumn{
		{Header: "Record ID", Field: "external_ref"},
		{Header: "Company name", Field: "name"},
		{Header: "Industry", Field: "industry"},
		{Header: "Country/Region", Field: "country"},
		{Header: "Annual Revenue", Field: "annual_revenue"},
		{Header: "Description", Field: "notes"},
		{Header: "Company Domain Name"},
		{Header: "Type"},
		{Header: "Lifecycle Stage"},
		{Header: "Company owner"},
		{Header: "State/Region"},
		{Header: "City"},
		{Header: "Phone Number"},
		{Header: "Number of Employees"},
		{Header: "Website URL"},
		{Header: "Create Date"},
		{Header: "Last Activity Date"},
	}},
}

// contactPresets are the CRMs' contact exports, for stakeholders. The
// account is named by the CRM's id of it when the export has one (the
// account import keeps that id as the external reference), else by name.
var contactPresets = []importer.Preset{
	{Name: "salesforce", Label: "Salesforce", Columns: []importer.PresetColumn{
		{Header: "Account ID", Field: "account"},
		{Header: "Account Name", Field: "account"},
		{Header: "First Name", Field: "first_name"},
		{Header: "Last Name", Field: "last_name"},
		{Header: "Title", Field: "title"},
		{Header: "Email", Field: "email"},
		{Header: "Phone", Field: "phone"},
		{Header: "Mobile", Field: "phone"},
		{Header: "Description", Field: "notes"},
		{Header: "Contact ID"},
		{Header: "Salutation"},
		{Header: "Department"},
		{Header: "Contact Owner"},
		{Header: "Lead Source"},
		{Header: "Mailing Country"},
		{Header: "Mailing City"},
		{Header: "Created Date"},
	}},
	{Name: "hubspot", Label: "HubSpot", Columns: []importer.PresetColumn{
		{Header: "Associated Company", Field: "account"},
		{Header: "Company Name", Field: "account"},
		{Header: "First Name", Field: "first_name"},
		{Header: "Last Name", Field: "last_name"},
		{Header: "Job Title", Field: "title"},
		{Header: "Email", Field: "email"},
		{Header: "Phone Number", Field: "phone"},
		{Header: "Mobile Phone Number", Field: "phone"},
		{Header: "Record ID"},
		{Header: "Contact owner"},
		{Header: "Lifecycle Stage"},
		{Header: "Lead Status"},
		{Header: "Country/Region"},
		{Header: "Create Date"},
		{Header: "Last Activity Date"},
	}},
}
