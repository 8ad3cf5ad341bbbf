#!/bin/sh
# Nightly backup: the database (pg_dump, custom format) and, when media is kept on disk, MEDIA_ROOT.
# Written readable by their owner only. With MEDIA_STORAGE=s3, back up the bucket with the object
# store's own versioning or replication instead. Restore: docs/security.md, "Backups and restore".
set -eu
umask 077

: "${DATABASE_URL:?DATABASE_URL must be set (the same as the site uses)}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/lscb}"
KEEP_DAYS="${KEEP_DAYS:-14}"
STAMP="$(date +%F)"

mkdir -p "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"

# Into a temporary name first, so a failed dump never replaces a good one.
pg_dump --format=custom --no-owner --file="$BACKUP_DIR/lscb-$STAMP.dump.partial" "$DATABASE_URL"
mv "$BACKUP_DIR/lscb-$STAMP.dump.partial" "$BACKUP_DIR/lscb-$STAMP.dump"

if [ "${MEDIA_STORAGE:-local}" = "local" ] && [ -d "${MEDIA_ROOT:-}" ]; then
    tar czf "$BACKUP_DIR/media-$STAMP.tgz.partial" -C "$MEDIA_ROOT" .
    mv "$BACKUP_DIR/media-$STAMP.tgz.partial" "$BACKUP_DIR/media-$STAMP.tgz"
fi

find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'lscb-*.dump' -o -name 'media-*.tgz' \) -mtime +"$KEEP_DAYS" -delete
echo "backup written to $BACKUP_DIR/lscb-$STAMP.dump"
