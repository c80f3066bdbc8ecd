import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Records why a bucket has no cross-region replication (a province decision, not a default). */
export function acknowledgeNoReplication(bucket: IConstruct): void {
  Validations.of(bucket).acknowledge({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason:
      'Single-region province deployment; durability comes from S3 (11 nines), versioning and Object Lock. Cross-region replication needs a second region chosen under Vietnamese data-residency rules (Decree 53/2022), so it is a per-province deployment decision.',
  });
}
