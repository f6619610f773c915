"""What the analysts' pages show, as plain typed functions over the models (no HTTP):
the dashboard's figures, a company's profile, the market-entry matrix, the review
inbox, rules' precision, search and briefs."""
