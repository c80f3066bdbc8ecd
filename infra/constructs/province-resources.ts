import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ProvinceConfig } from '#shared/config/province-config.ts';

/** What the stack's function-owning constructs share: the province, its storage and its keys. */
export interface ProvinceResources {
  readonly config: ProvinceConfig;
  /** Folder holding the handlers (`functions/`). */
  readonly functionsRoot: string;
  readonly ingestBucket: IBucket;
  readonly archiveBucket: IBucket;
  /** Key of both buckets' SSE-KMS encryption. */
  readonly dataKey: IKey;
  readonly logsKey: IKey;
  readonly table: ITable;
}
