import middy from '@middy/core';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import { provinceSigningAgencyId } from '#shared/config/province-config.ts';
import { assertRuntimeRole, parseRuntimeConfig, type RuntimeConfig } from '#shared/config/runtime-config.ts';
import { createAnchorAuditChain } from '#shared/use-cases/audit/anchor-audit-chain.ts';
import { type Adapters, createAdapters } from '../create-adapters.ts';
import { createSignerDirectory } from '../create-signer-directory.ts';
import { lambdaEntry } from '../lambda-entry.ts';
import { lambdaEnvironment } from '../lambda-environment.ts';
import { logErrors } from '../log-errors.ts';
import { observeInvocation } from '../observe-invocation.ts';

/** The anchoring's composition: the audit table, the archive bucket and the province's key. */
export function createAuditAnchoring(
  config: RuntimeConfig,
  adapters: Adapters = createAdapters(config),
): { observability: Observability; anchoring: ReturnType<typeof createAnchorAuditChain> } {
  assertRuntimeRole(config, 'audit-anchor');
  return {
    observability: adapters.observability,
    anchoring: createAnchorAuditChain({
      trail: adapters.audit,
      objects: adapters.objects,
      signers: createSignerDirectory(config, adapters.observability),
      bucket: config.buckets.archive ?? '',
      agencyId: provinceSigningAgencyId(config.provinceConfig),
      retentionYears: config.provinceConfig.archive.defaultRetentionYears,
      clock: adapters.clock,
    }),
  };
}

/** Scheduled after each UTC day closes: anchors the closed days not anchored yet. */
export function createAnchorAuditChainHandler(composition: ReturnType<typeof createAuditAnchoring>) {
  const logger = composition.observability.logger.createChild();
  return middy({ timeoutEarlyInMillis: 0 })
    .use(observeInvocation(composition.observability, logger))
    .use(logErrors(logger))
    .handler(async () => {
      const result = await composition.anchoring.anchorClosedDays();
      if (result.anchored.length > 0) logger.info({ message: 'audit trail anchored', ...result });
      return result;
    });
}

/** The Lambda entry: its composition comes from the function's environment. */
export const handler = lambdaEntry(() =>
  createAnchorAuditChainHandler(
    createAuditAnchoring(parseRuntimeConfig(lambdaEnvironment(), 'audit-anchor')),
  ),
);
