"""Financial management for IT (FITS): what IT costs, what each device is worth, what to
replace when, and the budget plan (docs/finance.md).

    money        amounts in pence (parsed with decimal, never a float), the school's
                 financial year, capitalisation threshold and currency, the years it has
    spending     the expenditure record: costs by category, against a device, a title
                 or a call; imported from the finance system's CSV or spreadsheet
    lifecycle    a device's funding, capital or revenue, useful life, book value,
                 replacement year and total cost of ownership
    licences     a licence's cost, renewal, auto-renew and reminder; renewals_due(today)
    budget       budgets per year and category, and plan(years, today)
    budget_files the plan as text, a web page with inline SVG charts, and an A4 PDF
    report       section(start, end): the service report's finance section
"""
