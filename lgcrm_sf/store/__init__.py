"""The profile's SQLite state (sqlite-utils): runs, backups, links, mirror, cursors, journal."""
