"""One-off moves of data: `restore` (a verified backup back into an org, or copied into
another) and `backup diff` (what changed between two backups). `migrate sales` (the marketing
account's sales data into Salesforce) joins them here.

Restores talk to Salesforce through `lgcrm_sf.salesforce`, keep their id map and progress in a
file of their own beside the target profile (progress.py), and touch the state database only to
re-point the sync's links (store/links.py)."""
