import type { AwsRuntimeConfig, AwsService } from '#shared/config/runtime-config.ts';

/**
 * SDK client settings shared by both runtimes, from the runtime configuration: its region, and
 * the embedded runtime's endpoints and credentials where it has them (AWS's and the function's
 * role otherwise). Checksums only when an operation requires them: otherwise presigned PUTs carry
 * the checksum of an empty body (real S3 rejects the upload) and streamed bodies reach s3rver
 * with their aws-chunked framing.
 */
export function awsClientSettings(aws: AwsRuntimeConfig, service?: AwsService) {
  const endpoint = service ? aws.endpoints?.[service] : undefined;
  return {
    region: aws.region,
    ...(endpoint ? { endpoint } : {}),
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
    ...(service === 's3' && aws.forcePathStyle ? { forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  };
}
