/**
 * SDK client settings shared by both runtimes. Checksums only when an operation requires them:
 * otherwise presigned PUTs carry the checksum of an empty body (real S3 rejects the upload) and
 * streamed bodies reach s3rver with their aws-chunked framing.
 */
export function awsClientSettings() {
  return {
    region: process.env.AWS_REGION ?? 'ap-southeast-1',
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  };
}
