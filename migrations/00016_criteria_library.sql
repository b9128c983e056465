-- +goose Up
-- The library criteria as the KAM method defines them (issue 14). Four
-- standard criteria contradicted the method's own definitions; tenants
-- whose criteria still carry the old library text word for word get the
-- new text, with a notice on the criteria page saying what changed
-- (library_notice, cleared when an admin dismisses it). A criterion an
-- admin has edited (any of its name, description or rubric differs from
-- the old library) is left alone. The same texts are in
-- internal/scoring/library.go (Library and PreviousLibrary).
ALTER TABLE scoring_criteria ADD COLUMN library_notice text NOT NULL DEFAULT '';
ALTER TABLE scoring_criteria ADD CONSTRAINT scoring_criteria_library_notice_check CHECK (length(library_notice) <= 1000);

-- The owner is subject to the forced policies too: lift them for the update.
ALTER TABLE scoring_criteria NO FORCE ROW LEVEL SECURITY;
UPDATE scoring_criteria SET description = 'This client''s target market for the product or service we sell: how large it is and how much of their business depends on it.',
    rubric_1 = 'Their market for what we sell is small or shrinking; few of their own customers need it.',
    rubric_5 = 'A solid market for what we sell: a real part of their business depends on it.',
    rubric_10 = 'A large, growing market for what we sell: it is central to how they serve their customers.',
    library_notice = 'Rewritten to follow the method: product fit is the client''s target market for what we sell (it was how well our products solve their problems).',
    version = version + 1
WHERE code = 'product_fit' AND name = 'Product fit' AND description = 'How well our products and services solve this customer''s important problems.'
    AND rubric_1 = 'Our offer solves none of their important problems; a fit only with heavy customisation.'
    AND rubric_5 = 'Part of our range fits a real need; gaps exist that competitors cover better.'
    AND rubric_10 = 'Our core offer matches their needs closely; they would be hard-pressed to find a better fit.';
UPDATE scoring_criteria SET description = 'How they buy and pay: one decision maker or a buying organisation (procurement, committees, tenders), how long decisions take, and how long payment takes.',
    rubric_1 = 'A large buying organisation with tenders and committees; decisions take many months and payment takes longer than 90 days.',
    rubric_5 = 'A buying team with a known process; decisions in weeks, payment within about 60 days.',
    rubric_10 = 'A single decision maker who buys quickly and pays within 30 days.',
    library_notice = 'Rewritten to follow the method: the buying process covers one decision maker or a buying organisation and how long payment takes.',
    version = version + 1
WHERE code = 'buying_process' AND name = 'Buying process' AND description = 'How accessible and predictable their purchasing is: decision makers, procurement rules, cycle length.'
    AND rubric_1 = 'Opaque, tender-only buying with no access to decision makers.'
    AND rubric_5 = 'A known process with some access; cycles are long but predictable.'
    AND rubric_10 = 'We know every step and person; they involve us early and buy without a tender.';
UPDATE scoring_criteria SET description = 'The account''s relationships with other businesses that may become our clients: partners, suppliers and customers it can introduce us to.',
    rubric_1 = 'Few links to businesses we could serve; no route to new clients through them.',
    rubric_5 = 'Some partners, suppliers or customers we could serve; introductions are possible.',
    rubric_10 = 'Connected to many businesses we could serve and willing to introduce us: a gateway to new clients.',
    library_notice = 'Rewritten to follow the method: existing relationships are the account''s relationships with other businesses that may become clients (it was our contacts inside the account; the stakeholder map covers those).',
    version = version + 1
WHERE code = 'existing_relationships' AND name = 'Existing relationships' AND description = 'The breadth and strength of our contacts with their decision makers, influencers and users.'
    AND rubric_1 = 'One contact at the operational level, or none.'
    AND rubric_5 = 'Good contacts in one department, some access to management.'
    AND rubric_10 = 'Trusted relationships across departments, including executives and a champion.';
UPDATE scoring_criteria SET description = 'How the account treats its customers, its employees and our employees.',
    rubric_1 = 'Treats its customers and staff poorly and our people as adversaries.',
    rubric_5 = 'Fair with its customers and staff; correct and businesslike with our people.',
    rubric_10 = 'Known for treating customers and employees well; treats our people with respect, as partners.',
    library_notice = 'Rewritten to follow the method: cultural fit is how the account treats its customers, its employees and our employees.',
    version = version + 1
WHERE code = 'cultural_fit' AND name = 'Cultural fit' AND description = 'How well our values and ways of working match: openness, long-term thinking, quality focus.'
    AND rubric_1 = 'Very different values; price-only, adversarial dealings.'
    AND rubric_5 = 'Compatible in most respects; some friction.'
    AND rubric_10 = 'Shared values and ways of working; collaboration comes naturally.';
ALTER TABLE scoring_criteria FORCE ROW LEVEL SECURITY;

-- +goose Down
ALTER TABLE scoring_criteria NO FORCE ROW LEVEL SECURITY;
UPDATE scoring_criteria SET description = 'How well our products and services solve this customer''s important problems.', rubric_1 = 'Our offer solves none of their important problems; a fit only with heavy customisation.', rubric_5 = 'Part of our range fits a real need; gaps exist that competitors cover better.', rubric_10 = 'Our core offer matches their needs closely; they would be hard-pressed to find a better fit.',
    version = version + 1
WHERE code = 'product_fit' AND library_notice <> '' AND description = 'This client''s target market for the product or service we sell: how large it is and how much of their business depends on it.';
UPDATE scoring_criteria SET description = 'How accessible and predictable their purchasing is: decision makers, procurement rules, cycle length.', rubric_1 = 'Opaque, tender-only buying with no access to decision makers.', rubric_5 = 'A known process with some access; cycles are long but predictable.', rubric_10 = 'We know every step and person; they involve us early and buy without a tender.',
    version = version + 1
WHERE code = 'buying_process' AND library_notice <> '' AND description = 'How they buy and pay: one decision maker or a buying organisation (procurement, committees, tenders), how long decisions take, and how long payment takes.';
UPDATE scoring_criteria SET description = 'The breadth and strength of our contacts with their decision makers, influencers and users.', rubric_1 = 'One contact at the operational level, or none.', rubric_5 = 'Good contacts in one department, some access to management.', rubric_10 = 'Trusted relationships across departments, including executives and a champion.',
    version = version + 1
WHERE code = 'existing_relationships' AND library_notice <> '' AND description = 'The account''s relationships with other businesses that may become our clients: partners, suppliers and customers it can introduce us to.';
UPDATE scoring_criteria SET description = 'How well our values and ways of working match: openness, long-term thinking, quality focus.', rubric_1 = 'Very different values; price-only, adversarial dealings.', rubric_5 = 'Compatible in most respects; some friction.', rubric_10 = 'Shared values and ways of working; collaboration comes naturally.',
    version = version + 1
WHERE code = 'cultural_fit' AND library_notice <> '' AND description = 'How the account treats its customers, its employees and our employees.';
ALTER TABLE scoring_criteria FORCE ROW LEVEL SECURITY;
ALTER TABLE scoring_criteria DROP COLUMN library_notice;
