/**
 * The tag the pipeline puts on an upload in the ingest bucket when it reaches a terminal state;
 * the bucket's lifecycle rules expire uploads by it, so nothing under `incoming/` is kept forever.
 * Tag with PutObjectTagging on the current version: lifecycle expiration acts on current versions,
 * and the bucket's noncurrent-version rule removes what expiration leaves behind.
 *
 * The browser's presigned PUT cannot set it: tagging an object on upload needs
 * s3:PutObjectTagging, which the API's role does not have.
 */
export const INGEST_OBJECT_TAGS = {
  key: 'motcua-state',
  values: { archived: 'archived', quarantined: 'quarantined' },
} as const;

/** A terminal state that an upload is tagged with. */
export type IngestObjectState = keyof typeof INGEST_OBJECT_TAGS.values;

/**
 * Days after its creation that an upload tagged with each state expires (S3 counts from the
 * object's creation, not from the tagging, and expires it at the next midnight UTC or later).
 *
 * - `quarantined`: the default quarantine retention, long enough for an officer to look at
 *   the rejected scan and for the citizen to be asked for a new one.
 * - `archived`: the signed copy is in the WORM archive bucket; the original stays a few days
 *   for investigating a bad archive run, then goes.
 */
export const INGEST_OBJECT_EXPIRY_DAYS: Readonly<Record<IngestObjectState, number>> = {
  quarantined: 90,
  archived: 7,
};
