import middy from '@middy/core';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import { createFilePortalSender } from '#shared/adapters/portal/file-portal-sender.ts';
import { createHttpPortalSender } from '#shared/adapters/portal/http-portal-sender.ts';
import { assertRuntimeRole, parseRuntimeConfig, type RuntimeConfig } from '#shared/config/runtime-config.ts';
import type { PortalSender } from '#shared/ports/portal-outbox.ts';
import {
  createDeliverPortalMessages,
  exponentialBackoff,
} from '#shared/use-cases/dossiers/deliver-portal-messages.ts';
import { type Adapters, createAdapters } from '../create-adapters.ts';
import { lambdaEntry } from '../lambda-entry.ts';
import { lambdaEnvironment } from '../lambda-environment.ts';
import { logErrors } from '../log-errors.ts';
import { observeInvocation } from '../observe-invocation.ts';

/** Messages one run sends at most: a run stays well inside the function's timeout. */
const BATCH = 200;

/**
 * Where portal messages go: the province's portal endpoint; else the runtime's stand-in file
 * (the embedded runtime's); else nowhere yet (they wait in the outbox).
 */
function portalSender(config: RuntimeConfig): PortalSender | undefined {
  const { endpoint, retryableErrorCodes } = config.provinceConfig.portal;
  if (endpoint) return createHttpPortalSender({ endpoint, retryableErrorCodes });
  if (config.portalOutboxFile) return createFilePortalSender({ path: config.portalOutboxFile });
  return undefined;
}

/** The delivery's composition: the outbox of the documents table and the province's sender. */
export function createPortalDelivery(
  config: RuntimeConfig,
  adapters: Adapters = createAdapters(config),
): { observability: Observability; deliver?: ReturnType<typeof createDeliverPortalMessages> } {
  assertRuntimeRole(config, 'portal');
  const sender = portalSender(config);
  return {
    observability: adapters.observability,
    ...(sender
      ? {
          deliver: createDeliverPortalMessages({
            outbox: adapters.portalOutbox,
            sender,
            clock: adapters.clock,
            // A portal that is down is tried again after 30 s, then less and less often, up to 6 h.
            backoff: exponentialBackoff({ baseMs: 30_000, maxMs: 6 * 60 * 60 * 1000 }),
          }),
        }
      : {}),
  };
}

/** Scheduled delivery of the national-portal outbox (see the deliver-portal-messages use case). */
export function createDeliverPortalMessagesHandler(delivery: ReturnType<typeof createPortalDelivery>) {
  const logger = delivery.observability.logger.createChild();
  return middy({ timeoutEarlyInMillis: 0 })
    .use(observeInvocation(delivery.observability, logger))
    .use(logErrors(logger))
    .handler(async () => {
      if (!delivery.deliver) {
        logger.warn('no national-portal endpoint configured: messages wait in the outbox');
        return undefined;
      }
      const counts = await delivery.deliver({ limit: BATCH });
      if (counts.attempted > 0 || counts.deferred > 0) logger.info({ message: 'portal delivery', ...counts });
      return counts;
    });
}

/** The Lambda entry: its composition comes from the function's environment. */
export const handler = lambdaEntry(() =>
  createDeliverPortalMessagesHandler(createPortalDelivery(parseRuntimeConfig(lambdaEnvironment(), 'portal'))),
);
