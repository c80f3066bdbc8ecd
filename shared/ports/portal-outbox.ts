/**
 * The national-portal outbox: every dossier change leaves its portal messages here (in the same
 * request that changed the dossier), and a delivery run sends them later, retrying what failed.
 * Keeping them apart means a portal outage never fails or slows a dossier command, and a message
 * is never lost between the change and its delivery.
 */
import type { PortalMessage } from '#shared/domain/dossiers/portal-messages.ts';

/** `pending` until delivered; `failed` (the dead letter) when rejected or out of attempts. */
export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** A message with its delivery state. Times are ISO instants (UTC). */
export type OutboxMessage = PortalMessage & {
  status: OutboxStatus;
  /** Send attempts since it was appended or last replayed. */
  attempts: number;
  /** When a pending message may be sent (its creation time, then each retry's). */
  nextAttemptAt: string;
  lastAttemptAt?: string;
  /** What the last failed attempt reported. */
  lastError?: string;
  deliveredAt?: string;
  failedAt?: string;
};

/** A page of messages and, when there may be more, the cursor of the next page. */
export interface OutboxPage {
  messages: OutboxMessage[];
  cursor?: string;
}

export interface PortalOutbox {
  /**
   * Adds the messages whose `messageId` the outbox does not hold yet, pending and due at their
   * `createdAt`; a message already held is left as it is (delivered stays delivered).
   * @returns how many were added
   */
  append(messages: readonly PortalMessage[]): Promise<number>;
  /** Pending messages due at `now`, earliest due first (a fresh one is due at its creation), at most `limit`. */
  listDue(now: string, limit: number): Promise<OutboxMessage[]>;
  /** A dossier's pending messages, due or not, in delivery order: by version, then position. */
  listPending(dossierCode: string): Promise<OutboxMessage[]>;
  /** Dead letters, latest failure last, at most `limit`. */
  listFailed(limit: number): Promise<OutboxMessage[]>;
  /** Messages created at or after `from`, oldest first, a page at a time. */
  listCreatedSince(from: string, page: { limit: number; cursor?: string }): Promise<OutboxPage>;
  /** A dossier's messages of version `fromVersion` and later, in delivery order. @default fromVersion 1 */
  listOfDossier(dossierCode: string, fromVersion?: number): Promise<OutboxMessage[]>;
  get(messageId: string): Promise<OutboxMessage | undefined>;
  /** @throws NotFoundError when the outbox does not hold the message. */
  markDelivered(messageId: string, at: string): Promise<void>;
  /**
   * Counts a failed attempt; the message stays pending, due again at `nextAttemptAt`.
   * @throws NotFoundError when the outbox does not hold the message.
   */
  recordFailedAttempt(
    messageId: string,
    failure: { at: string; error: string; nextAttemptAt: string },
  ): Promise<void>;
  /**
   * Counts a last attempt and moves the message to the dead letters with its error.
   * @throws NotFoundError when the outbox does not hold the message.
   */
  markFailed(messageId: string, failure: { at: string; error: string }): Promise<void>;
  /**
   * Makes a message pending again, due at `at`, with its attempts reset (for a replay).
   * @throws NotFoundError when the outbox does not hold the message.
   */
  markPending(messageId: string, at: string): Promise<void>;
}

/**
 * What a send came to. `retry`: the portal may take it later (an outage, a throttle, a transient
 * code); `rejected`: the portal refused it and sending it again will not help.
 */
export type PortalSendResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; error: string }
  | { outcome: 'rejected'; error: string };

/** Hands one message to the portal (or to what stands in for it). Never throws for the portal's answers. */
export interface PortalSender {
  send(message: PortalMessage): Promise<PortalSendResult>;
}
