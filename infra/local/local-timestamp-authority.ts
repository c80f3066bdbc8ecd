import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { Accuracy, MessageImprint, PKIStatusInfo, TimeStampResp } from 'pkijs';
import { closeServer, listenOnLoopback } from '#infra/local/listen-on-loopback.ts';
import {
  buildSelfSignedCertificate,
  readCertificate,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import {
  berChildren,
  derElement,
  derObjectIdentifier,
  derSmallInteger,
} from '#shared/adapters/signing/encode-der.ts';
import {
  contentTypeAttribute,
  encodeSignedData,
  messageDigestAttribute,
  orderSignedAttributes,
  signingCertificateV2Attribute,
} from '#shared/adapters/signing/encode-signed-data.ts';
import {
  derToPem,
  pemToDer,
  readIfExists,
  writeAtomically,
} from '#shared/adapters/signing/local-signer-directory.ts';
import { signP256Digest } from '#shared/adapters/signing/sign-p256-digest.ts';

/**
 * The local TSA's policy, under the example arc {joint-iso-itu-t(2) example(999)} (X.660), so
 * that a development authority claims no registered policy.
 */
export const LOCAL_TSA_POLICY = '2.999.3161.1';

/** Options of {@link createLocalTimestampAuthority}. */
export interface LocalTimestampAuthorityOptions {
  /** Folder holding `tsa.key.pem` (0600), `tsa.cert.pem` and `serial` (the last serial issued). */
  directory: string;
  /** @default the system clock */
  now?: () => Date;
  /** Subject common name of a new certificate. @default 'Dịch vụ cấp dấu thời gian cục bộ motcua' */
  commonName?: string;
}

/** An RFC 3161 authority of the embedded runtime. */
export interface LocalTimestampAuthority {
  /** Its DER certificate (extendedKeyUsage id-kp-timeStamping, critical). */
  certificate: Uint8Array;
  /** The DER TimeStampResp to a DER TimeStampReq (a rejection for one it cannot serve). */
  respond(request: Uint8Array): Promise<Uint8Array>;
}

const HASH_LENGTHS: Record<string, number> = {
  [CMS_OID.sha256]: 32,
  '2.16.840.1.101.3.4.2.2': 48,
  '2.16.840.1.101.3.4.2.3': 64,
};

/** PKIFailureInfo bits the local authority reports. */
const FAILURE = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  unacceptedPolicy: 15,
  systemFailure: 25,
} as const;

const rejection = (failure: keyof typeof FAILURE, text: string): Uint8Array => {
  const bit = FAILURE[failure];
  const bytes = new Uint8Array(Math.floor(bit / 8) + 1);
  bytes[Math.floor(bit / 8)] = 0x80 >> (bit % 8);
  const status = new PKIStatusInfo({
    status: 2,
    statusStrings: [new asn1js.Utf8String({ value: text })],
    failInfo: new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (bit % 8) }),
  });
  return new Uint8Array(new TimeStampResp({ status }).toSchema().toBER());
};

const integerFrom = (value: bigint): asn1js.Integer => {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: Buffer.from(hex, 'hex') });
};

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** PKIStatusInfo { status granted }, which starts every reply with a token. */
const GRANTED = Buffer.from(new PKIStatusInfo({ status: 0 }).toSchema().toBER());

/** What the authority reads of a TimeStampReq (RFC 3161 §2.4.1). */
interface ReadRequest {
  version: number;
  messageImprint: MessageImprint;
  reqPolicy?: string;
  nonce?: asn1js.Integer;
  certReq: boolean;
  hasExtensions: boolean;
}

/** The ASN.1 of one encoded element, which must be all of `encoded`. */
const parse = (encoded: Uint8Array): asn1js.AsnType => {
  const parsed = asn1js.fromBER(encoded);
  if (parsed.offset !== encoded.byteLength) throw new Error('not one ASN.1 element');
  return parsed.result;
};

/** Optional TimeStampReq fields by tag, in their order: reqPolicy, nonce, certReq, [0] extensions. */
const REQUEST_OPTIONAL_TAGS = [0x06, 0x02, 0x01, 0xa0];

/**
 * A TimeStampReq read field by field; pkijs's TimeStampReq would build the schema of its
 * extensions on every request.
 * @throws when it is no TimeStampReq.
 */
const readRequest = (encoded: Uint8Array): ReadRequest => {
  if (encoded[0] !== 0x30) throw new Error('not a SEQUENCE');
  const [version, messageImprint, ...optional] = berChildren(encoded);
  const versionBlock = version && parse(version);
  if (!(versionBlock instanceof asn1js.Integer) || messageImprint?.[0] !== 0x30)
    throw new Error('not a TimeStampReq');
  const request: ReadRequest = {
    version: versionBlock.valueBlock.valueDec,
    messageImprint: new MessageImprint({ schema: parse(messageImprint) }),
    certReq: false,
    hasExtensions: false,
  };
  let next = 0;
  for (const field of optional) {
    const at = REQUEST_OPTIONAL_TAGS.indexOf(field[0] ?? -1, next);
    if (at === -1) throw new Error('not a TimeStampReq');
    next = at + 1;
    const block = parse(field);
    if (at === 0) request.reqPolicy = (block as asn1js.ObjectIdentifier).valueBlock.toString();
    if (at === 1) request.nonce = block as asn1js.Integer;
    if (at === 2) request.certReq = (block as asn1js.Boolean).valueBlock.value;
    if (at === 3) request.hasExtensions = berChildren(field).length > 0;
  }
  return request;
};

const loadOrCreateKey = async (directory: string, commonName: string, now: Date) => {
  const keyPath = join(directory, 'tsa.key.pem');
  const certificatePath = join(directory, 'tsa.cert.pem');
  const [keyPem, certificatePem] = await Promise.all([readIfExists(keyPath), readIfExists(certificatePath)]);
  if (keyPem && certificatePem)
    return { key: createPrivateKey(keyPem), certificate: pemToDer(certificatePem) };
  const key = keyPem
    ? createPrivateKey(keyPem)
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const certificate = await buildSelfSignedCertificate({
    publicKey: new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' })),
    identity: { commonName, organisation: 'motcua (môi trường cục bộ)', province: 'Cục bộ', country: 'VN' },
    algorithm: 'ECDSA_SHA_256',
    signDigest: async (digest) => signWith(key, digest),
    notBefore: now,
    validityYears: 30,
    extendedKeyUsage: [CMS_OID.timeStamping],
  });
  await mkdir(directory, { recursive: true, mode: 0o700 });
  if (!keyPem) await writeAtomically(keyPath, key.export({ format: 'pem', type: 'pkcs8' }).toString(), 0o600);
  await writeAtomically(certificatePath, derToPem(certificate, 'CERTIFICATE'), 0o644);
  return { key, certificate };
};

const signWith = (key: KeyObject, digest: Uint8Array): Uint8Array => {
  const d = key.export({ format: 'jwk' }).d;
  if (!d) throw new Error('the TSA key is no EC private key');
  return signP256Digest(Buffer.from(d, 'base64url'), digest);
};

/**
 * A time-stamping authority for the embedded runtime: an ECDSA P-256 key and a self-signed
 * certificate for time-stamping only, created on first use and kept in `directory` with the
 * last serial number issued, so serial numbers only grow across restarts (each is written
 * before its token is handed out). Tokens carry whole-second times with an accuracy of 1 s.
 */
export async function createLocalTimestampAuthority(
  options: LocalTimestampAuthorityOptions,
): Promise<LocalTimestampAuthority> {
  const now = options.now ?? (() => new Date());
  const { key, certificate: certificateDer } = await loadOrCreateKey(
    options.directory,
    options.commonName ?? 'Dịch vụ cấp dấu thời gian cục bộ motcua',
    now(),
  );
  const read = readCertificate(certificateDer);
  const { certificate } = read;
  // The same for every token: worked out once.
  const signingCertificateAttribute = signingCertificateV2Attribute(certificateDer, read);
  const serialPath = join(options.directory, 'serial');
  let lastSerial = BigInt((await readIfExists(serialPath))?.trim() || '0');
  let queue: Promise<unknown> = Promise.resolve();

  const nextSerial = (): Promise<bigint> => {
    const issued = queue.then(async () => {
      const serial = lastSerial + 1n;
      await writeAtomically(serialPath, `${serial}\n`, 0o644);
      lastSerial = serial;
      return serial;
    });
    queue = issued.catch(() => undefined);
    return issued;
  };

  // TSTInfo fields the same in every token.
  const policy = derObjectIdentifier(LOCAL_TSA_POLICY);
  const accuracy = Buffer.from(new Accuracy({ seconds: 1 }).toSchema().toBER());
  const tsa = derElement(0xa0, derElement(0xa4, Buffer.from(certificate.subject.toSchema().toBER())));

  const token = (request: ReadRequest, serial: bigint): Uint8Array => {
    const genTime = now();
    genTime.setUTCMilliseconds(0);
    // TSTInfo (RFC 3161 §2.4.2): version, policy, messageImprint, serialNumber, genTime, accuracy, nonce, tsa.
    const content = derElement(
      0x30,
      derSmallInteger(1),
      policy,
      Buffer.from(request.messageImprint.toSchema().toBER()),
      Buffer.from(integerFrom(serial).toBER()),
      Buffer.from(new asn1js.GeneralizedTime({ valueDate: genTime }).toBER()),
      accuracy,
      ...(request.nonce ? [Buffer.from(request.nonce.toBER())] : []),
      tsa,
    );
    const { ordered, signedBytes } = orderSignedAttributes([
      contentTypeAttribute(CMS_OID.tstInfo),
      messageDigestAttribute(sha256(content)),
      signingCertificateAttribute,
    ]);
    return encodeSignedData({
      version: 3,
      eContentType: CMS_OID.tstInfo,
      eContent: content,
      certificates: request.certReq ? [certificateDer] : [],
      signer: read,
      signedAttributes: ordered,
      signatureAlgorithm: 'ECDSA_SHA_256',
      // node:crypto hashes the signed attributes itself: one native ECDSA signature.
      signature: sign('sha256', signedBytes, { key, dsaEncoding: 'der' }),
    });
  };

  return {
    certificate: certificateDer,
    async respond(requestDer) {
      let request: ReadRequest;
      try {
        request = readRequest(requestDer);
      } catch {
        return rejection('badDataFormat', 'not a TimeStampReq');
      }
      if (request.version !== 1) return rejection('badRequest', `unsupported version ${request.version}`);
      const length = HASH_LENGTHS[request.messageImprint.hashAlgorithm.algorithmId];
      if (!length) return rejection('badAlg', 'the imprint must be SHA-256, SHA-384 or SHA-512');
      if (request.messageImprint.hashedMessage.valueBlock.valueHexView.length !== length)
        return rejection('badDataFormat', 'the imprint has the wrong length for its algorithm');
      if (request.reqPolicy && request.reqPolicy !== LOCAL_TSA_POLICY)
        return rejection('unacceptedPolicy', `this authority follows policy ${LOCAL_TSA_POLICY} only`);
      if (request.hasExtensions) return rejection('badRequest', 'no request extension is supported');
      const tokenDer = token(request, await nextSerial());
      const reply = derElement(0x30, GRANTED, tokenDer);
      return new Uint8Array(reply.buffer, reply.byteOffset, reply.byteLength);
    },
  };
}

/** A running local TSA. */
export interface LocalTimestampAuthorityServer {
  /** Where to POST application/timestamp-query. */
  url: string;
  certificate: Uint8Array;
  stop(): Promise<void>;
}

const MAX_REQUEST_BYTES = 16 * 1024;

const readBody = async (request: IncomingMessage): Promise<Uint8Array | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};

/**
 * Serves a {@link createLocalTimestampAuthority} over HTTP on 127.0.0.1 (RFC 3161 §3.4): POST
 * application/timestamp-query, answered application/timestamp-reply; GET `/certificate` gives its
 * certificate as PEM.
 */
export async function startLocalTimestampAuthority(
  options: LocalTimestampAuthorityOptions & { port?: number },
): Promise<LocalTimestampAuthorityServer> {
  const authority = await createLocalTimestampAuthority(options);
  const server = createServer((request, response) => {
    const answer = (status: number, type: string, body: string | Uint8Array) => {
      response.writeHead(status, { 'content-type': type }).end(body);
    };
    if (request.method === 'GET' && request.url === '/certificate') {
      answer(200, 'application/x-pem-file', derToPem(authority.certificate, 'CERTIFICATE'));
      return;
    }
    if (request.method !== 'POST') {
      answer(405, 'text/plain', 'POST an application/timestamp-query\n');
      return;
    }
    if (request.headers['content-type']?.split(';')[0]?.trim() !== 'application/timestamp-query') {
      answer(415, 'text/plain', 'expected content-type application/timestamp-query\n');
      return;
    }
    readBody(request)
      .then(async (body) => {
        if (!body) return answer(413, 'text/plain', `a request is at most ${MAX_REQUEST_BYTES} bytes\n`);
        return answer(200, 'application/timestamp-reply', await authority.respond(body));
      })
      .catch(() => answer(500, 'text/plain', 'the authority failed\n'));
  });
  const url = await listenOnLoopback(server, options.port ?? 0);
  return { url, certificate: authority.certificate, stop: () => closeServer(server) };
}
