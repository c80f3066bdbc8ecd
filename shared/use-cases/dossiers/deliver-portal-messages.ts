/**
 * Delivery of the national-portal outbox: sends what is due, in order per dossier, retries with
 * backoff what the portal could not take, and dead-letters what it refused; and replays, which
 * makes messages pending again so they are sent again (the portal keeps one record per dossier and
 * version, so a replay repeats nothing there).
 */

import type {
  OutboxMessage,
  PortalOutbox,
  PortalSender,
  PortalSendResult,
} from '#shared/ports/portal-outbox.ts';
import type { Clock } from '#shared/ports.ts';

/** Milliseconds to wait before the next attempt, after `attempt` (1, 2, …) failed attempts. */
export type Backoff = (attempt: number) => number;

/**
 * Exponential backoff with "equal jitter": after attempt k, a wait between half and all of
 * `min(maxMs, baseMs · 2^(k−1))`, so retries of many messages spread out but never come back at once.
 * @param options.random a number in [0, 1) (@default Math.random); tests pass a fixed one
 */
export function exponentialBackoff(options: {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}): Backoff {
  const random = options.random ?? Math.random;
  return (attempt) => {
    const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };
}

export interface DeliverPortalMessagesDependencies {
  outbox: PortalOutbox;
  sender: PortalSender;
  clock: Clock;
  /** Attempts before a message that keeps asking for a retry is dead-lettered. @default 8 */
  maxAttempts?: number;
  backoff: Backoff;
}

/** What a delivery run did. */
export interface DeliveryCounts {
  /** Messages handed to the sender. */
  attempted: number;
  delivered: number;
  /** Messages that failed this time and stay pending for a later attempt. */
  retrying: number;
  /** Messages moved to the dead letters (rejected, or out of attempts). */
  failed: number;
  /** Due messages left for a later run: behind an earlier message of their dossier that is waiting. */
  deferred: number;
}

/**
 * Creates a delivery run. Each run lists the messages due now (at most `limit`, @default 100),
 * then, dossier by dossier, sends that dossier's pending messages in version order and stops at
 * the first one that is not due or has to be retried: a later version never overtakes an earlier
 * one still pending. A message the portal rejects, or one out of attempts, is dead-lettered and
 * the dossier's next messages go on (each `DongBoHoSoMC` carries the whole dossier, so a later one
 * supersedes it). Dossiers are independent: one that waits or fails holds up no other.
 */
export function createDeliverPortalMessages(deps: DeliverPortalMessagesDependencies) {
  const maxAttempts = deps.maxAttempts ?? 8;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be ≥ 1');

  async function send(message: OutboxMessage): Promise<PortalSendResult> {
    try {
      return await deps.sender.send(message);
    } catch (error) {
      // A sender is not meant to throw; if it does, the message is still worth another try.
      return { outcome: 'retry', error: error instanceof Error ? error.message : String(error) };
    }
  }

  return async function deliverPortalMessages(options: { limit?: number } = {}): Promise<DeliveryCounts> {
    const limit = options.limit ?? 100;
    const now = deps.clock.now();
    const due = await deps.outbox.listDue(now.toISOString(), limit);
    const counts: DeliveryCounts = { attempted: 0, delivered: 0, retrying: 0, failed: 0, deferred: 0 };
    const dossiers = [...new Set(due.map((message) => message.dossierCode))];
    for (const dossierCode of dossiers) {
      const pending = await deps.outbox.listPending(dossierCode);
      let index = 0;
      for (; index < pending.length && counts.attempted < limit; index += 1) {
        const message = pending[index] as OutboxMessage;
        if (Date.parse(message.nextAttemptAt) > now.getTime()) break;
        counts.attempted += 1;
        const result = await send(message);
        const at = deps.clock.now();
        if (result.outcome === 'delivered') {
          await deps.outbox.markDelivered(message.messageId, at.toISOString());
          counts.delivered += 1;
          continue;
        }
        const attempts = message.attempts + 1;
        if (result.outcome === 'rejected' || attempts >= maxAttempts) {
          const error =
            result.outcome === 'rejected'
              ? result.error
              : `${result.error} (gave up after ${attempts} attempts)`;
          await deps.outbox.markFailed(message.messageId, { at: at.toISOString(), error });
          counts.failed += 1;
          continue;
        }
        const nextAttemptAt = new Date(at.getTime() + deps.backoff(attempts)).toISOString();
        await deps.outbox.recordFailedAttempt(message.messageId, {
          at: at.toISOString(),
          error: result.error,
          nextAttemptAt,
        });
        counts.retrying += 1;
        index += 1;
        break;
      }
      counts.deferred += pending
        .slice(index)
        .filter((message) => Date.parse(message.nextAttemptAt) <= now.getTime()).length;
    }
    return counts;
  };
}

/** Which messages a replay sends again: all created from an instant on, or a dossier's from a version on. */
export type ReplaySelection = { from: string } | { dossierCode: string; fromVersion?: number };

/**
 * Creates a replay: the selected messages, delivered or dead-lettered alike, become pending again,
 * due now with their attempts reset, and the next delivery runs send them in order again.
 * @returns how many messages were made pending
 */
export function createReplayPortalMessages(deps: { outbox: PortalOutbox; clock: Clock; pageSize?: number }) {
  const pageSize = deps.pageSize ?? 100;
  return async function replayPortalMessages(selection: ReplaySelection): Promise<{ replayed: number }> {
    const at = deps.clock.now().toISOString();
    let replayed = 0;
    if ('dossierCode' in selection) {
      for (const message of await deps.outbox.listOfDossier(selection.dossierCode, selection.fromVersion)) {
        await deps.outbox.markPending(message.messageId, at);
        replayed += 1;
      }
      return { replayed };
    }
    let cursor: string | undefined;
    do {
      const page = await deps.outbox.listCreatedSince(selection.from, { limit: pageSize, cursor });
      for (const message of page.messages) {
        await deps.outbox.markPending(message.messageId, at);
        replayed += 1;
      }
      cursor = page.cursor;
    } while (cursor);
    return { replayed };
  };
}
