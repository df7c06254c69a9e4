"""Reports for managers: published mart snapshots, report definitions, charts, and Telegram delivery."""
