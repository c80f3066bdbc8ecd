import type { IConstruct } from 'constructs';
import { acknowledgeOnResource } from './acknowledge-on-resource.ts';

/** Records, on the bucket resource, why it has no cross-region replication (a province decision, not a default). */
export function acknowledgeNoReplication(bucket: IConstruct): void {
  acknowledgeOnResource(bucket, {
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason:
      'Single-region province deployment; durability comes from S3 (11 nines), versioning and Object Lock. Cross-region replication needs a second region chosen under Vietnamese data-residency rules (Decree 53/2022), so it is a per-province deployment decision.',
  });
}
