"""The sync: change detection, three-way merge, plan, apply, conflicts, journal."""
