import { Certificate } from 'pkijs';
import { buildCertificationRequest } from '#shared/adapters/signing/build-certification-request.ts';
import type { SignerIdentity } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { checkIssuedCertificate } from '#shared/adapters/signing/check-issued-certificate.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { Clock, IssuedCertificate, IssuedCertificateStore, SignerDirectory } from '#shared/ports.ts';

/** What the certificate commands work with. */
export interface AgencyCertificateDeps {
  province: ProvinceConfig;
  signers: SignerDirectory;
  identityFor: (agencyId: string) => SignerIdentity;
  store: IssuedCertificateStore;
  clock: Clock;
}

const oneStopAgency = (province: ProvinceConfig, agencyId: string): string => {
  const agency = province.agencies.find((candidate) => candidate.id === agencyId);
  if (!agency)
    throw new ValidationError('UNKNOWN_AGENCY', `no agency ${agencyId} in ${province.province.name}`);
  if (!agency.oneStop)
    throw new ValidationError(
      'AGENCY_HAS_NO_SIGNING_KEY',
      `agency ${agencyId} is not a one-stop unit, so it has no signing key`,
    );
  return agency.id;
};

const publicKeyOf = async (signers: SignerDirectory, agencyId: string): Promise<Uint8Array> => {
  const certificate = Certificate.fromBER(await (await signers.forAgency(agencyId)).certificate());
  return new Uint8Array(certificate.subjectPublicKeyInfo.toSchema().toBER());
};

/**
 * A PKCS#10 request (DER) for an agency's signing key, signed by that key through the signer
 * directory and naming the agency as subject, for the province's CA to issue a certificate on.
 */
export async function requestAgencyCertificate(
  deps: AgencyCertificateDeps,
  agencyId: string,
): Promise<Uint8Array> {
  const id = oneStopAgency(deps.province, agencyId);
  return buildCertificationRequest(await deps.signers.forAgency(id), deps.identityFor(id));
}

/**
 * Checks a certificate the CA issued for an agency's key (checkIssuedCertificate: same key,
 * valid now, keyUsage, chain up to a root) and stores it with its chain, where the signer
 * directory picks it up. Importing the same certificate again stores it again.
 *
 * @throws IssuedCertificateError naming the failed check; nothing is stored then.
 */
export async function importAgencyCertificate(
  deps: AgencyCertificateDeps,
  agencyId: string,
  issued: { certificate: Uint8Array; chain: readonly Uint8Array[] },
): Promise<IssuedCertificate> {
  const id = oneStopAgency(deps.province, agencyId);
  const checked = checkIssuedCertificate({
    certificate: issued.certificate,
    chain: issued.chain,
    publicKey: await publicKeyOf(deps.signers, id),
    now: deps.clock.now(),
  });
  await deps.store.put(id, checked);
  return checked;
}
