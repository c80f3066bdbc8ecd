import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import {
  AlgorithmIdentifier,
  Certificate,
  ContentInfo,
  Extension,
  MessageImprint,
  PKIStatusInfo,
  SignedData,
  TimeStampReq,
  TimeStampResp,
} from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listenOnLoopback } from '#infra/local/listen-on-loopback.ts';
import {
  createLocalTimestampAuthority,
  LOCAL_TSA_POLICY,
  type LocalTimestampAuthority,
} from '#infra/local/local-timestamp-authority.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import {
  createHttpTimestampAuthority,
  TimestampAuthorityError,
} from '#shared/adapters/signing/http-timestamp-authority.ts';
import { readTimestampToken } from '#shared/adapters/signing/read-timestamp-token.ts';

const execFileAsync = promisify(execFile);

type Behaviour = (request: Uint8Array, response: ServerResponse) => Promise<void> | void;

const DIGEST = createHash('sha256').update('chữ ký của Sở Tư pháp').digest();

let folder: string;
let authority: LocalTimestampAuthority;
let server: Server;
let url: string;
let behaviour: Behaviour;
let requests = 0;

const reply = (response: ServerResponse, body: Uint8Array, status = 200): void => {
  response.writeHead(status, { 'content-type': 'application/timestamp-reply' }).end(body);
};

/** The authority's answer to the request as `change` rewrites it first. */
const answerChanged =
  (change: (request: TimeStampReq) => void): Behaviour =>
  async (body, response) => {
    const request = TimeStampReq.fromBER(body);
    change(request);
    reply(response, await authority.respond(new Uint8Array(request.toSchema().toBER())));
  };

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
};

const failure = async (promise: Promise<unknown>): Promise<TimestampAuthorityError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TimestampAuthorityError);
  return error as TimestampAuthorityError;
};

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'motcua-tsa-'));
  authority = await createLocalTimestampAuthority({ directory: join(folder, 'tsa') });
  server = createServer((request, response) => {
    requests++;
    readBody(request)
      .then((body) => behaviour(body, response))
      .catch((error: unknown) => response.writeHead(599).end(String(error)));
  });
  url = await listenOnLoopback(server);
});

afterAll(async () => {
  await closeServer(server);
  await rm(folder, { recursive: true, force: true });
});

const client = (options: { attempts?: number; timeoutMs?: number; policy?: string } = {}) =>
  createHttpTimestampAuthority({ url, retryDelayMs: 1, ...options });

describe('createHttpTimestampAuthority', () => {
  it('sends a SHA-256 imprint, a nonce and certReq, and returns the checked token', async () => {
    let sent: TimeStampReq | undefined;
    let answered: Uint8Array = new Uint8Array();
    behaviour = async (body, response) => {
      sent = TimeStampReq.fromBER(body);
      answered = await authority.respond(body);
      reply(response, answered);
    };
    const issued = await client().timestamp(DIGEST);
    // The token as the authority encoded it: the last field of its reply.
    expect(Buffer.from(answered.subarray(-issued.token.length))).toEqual(Buffer.from(issued.token));
    expect(sent?.certReq).toBe(true);
    expect(sent?.nonce).toBeDefined();
    expect(sent?.messageImprint.hashAlgorithm.algorithmId).toBe(CMS_OID.sha256);
    expect(Buffer.from(sent?.messageImprint.hashedMessage.valueBlock.valueHexView ?? [])).toEqual(DIGEST);
    expect(issued.authority).toBe('Dịch vụ cấp dấu thời gian cục bộ motcua');
    const token = readTimestampToken(issued.token);
    expect(token).toMatchObject({
      imprintAlgorithm: 'sha256',
      signatureValid: true,
      timeStampingCertificate: true,
      policy: LOCAL_TSA_POLICY,
      serialNumber: issued.serialNumber,
    });
    expect(token.imprint).toEqual(DIGEST);
    expect(token.genTime.toISOString()).toBe(issued.genTime);
  });

  it('names the status and the failure of a refused request', async () => {
    behaviour = (_body, response) =>
      reply(
        response,
        new Uint8Array(
          new TimeStampResp({
            status: new PKIStatusInfo({
              status: 2,
              statusStrings: [new asn1js.Utf8String({ value: 'quota exceeded' })],
              failInfo: new asn1js.BitString({
                valueHex: Uint8Array.of(0x00, 0x00, 0x00, 0x40),
                unusedBits: 6,
              }),
            }),
          })
            .toSchema()
            .toBER(),
        ),
      );
    const error = await failure(client().timestamp(DIGEST));
    expect(error.code).toBe('TSA_REJECTED');
    expect(error.message).toContain('rejection (systemFailure): quota exceeded');
  });

  it('refuses a token over another digest', async () => {
    behaviour = answerChanged((request) => {
      request.messageImprint.hashedMessage = new asn1js.OctetString({ valueHex: Buffer.alloc(32, 7) });
    });
    expect((await failure(client().timestamp(DIGEST))).code).toBe('TSA_IMPRINT_MISMATCH');
  });

  it('refuses a token without the request nonce', async () => {
    behaviour = answerChanged((request) => {
      request.nonce = new asn1js.Integer({ value: 42 });
    });
    expect((await failure(client().timestamp(DIGEST))).code).toBe('TSA_NONCE_MISMATCH');
  });

  it('refuses a token whose signature does not verify', async () => {
    behaviour = async (body, response) => {
      const answer = TimeStampResp.fromBER(await authority.respond(body));
      const signedData = new SignedData({ schema: answer.timeStampToken?.content });
      const signerInfo = signedData.signerInfos[0];
      if (!signerInfo) throw new Error('no signer');
      const signature = Uint8Array.from(signerInfo.signature.valueBlock.valueHexView);
      signature[signature.length - 1] = (signature.at(-1) ?? 0) ^ 0x01;
      signerInfo.signature = new asn1js.OctetString({ valueHex: signature });
      answer.timeStampToken = new ContentInfo({
        contentType: CMS_OID.signedData,
        content: signedData.toSchema(true),
      });
      reply(response, new Uint8Array(answer.toSchema().toBER()));
    };
    const error = await failure(client().timestamp(DIGEST));
    expect(error.code).toBe('TSA_BAD_SIGNATURE');
    expect(error.message).toContain('does not verify');
  });

  it('refuses a token whose timestamped content was changed after it was signed', async () => {
    behaviour = async (body, response) => {
      const answer = Buffer.from(await authority.respond(body));
      const token = TimeStampResp.fromBER(answer).timeStampToken;
      const content = new SignedData({ schema: token?.content }).encapContentInfo.eContent;
      const tstInfo = Buffer.from(content?.valueBlock.valueHexView ?? []);
      // One digit of genTime, the first GeneralizedTime (tag 0x18, 15 characters) of the TSTInfo.
      const genTime = answer.indexOf(tstInfo) + tstInfo.indexOf(Buffer.from('180f', 'hex')) + 2;
      answer[genTime] = (answer[genTime] ?? 0) ^ 0x01;
      reply(response, answer);
    };
    const error = await failure(client().timestamp(DIGEST));
    expect(error.code).toBe('TSA_BAD_SIGNATURE');
  });

  it('reports a granted reply whose token is no SignedData over a TSTInfo as a bad response', async () => {
    behaviour = (_body, response) => {
      const timeStampToken = new ContentInfo({
        contentType: CMS_OID.signedData,
        content: new asn1js.Sequence({ value: [new asn1js.Integer({ value: 3 })] }),
      });
      const status = new PKIStatusInfo({ status: 0 });
      reply(response, new Uint8Array(new TimeStampResp({ status, timeStampToken }).toSchema().toBER()));
    };
    const error = await failure(client().timestamp(DIGEST));
    expect(error.code).toBe('TSA_BAD_RESPONSE');
    expect(error.message).toContain('not a timestamp token');
  });

  it('accepts a reply and a token in BER, with indefinite lengths, and keeps the token as sent', async () => {
    let answered: Uint8Array = new Uint8Array();
    behaviour = async (body, response) => {
      const answer = asn1js.fromBER(await authority.respond(body)).result as asn1js.Sequence;
      const token = answer.valueBlock.value[1] as asn1js.Sequence;
      const explicit = token.valueBlock.value[1] as asn1js.Constructed;
      for (const block of [answer, token, explicit, explicit.valueBlock.value[0] as asn1js.Sequence])
        block.lenBlock.isIndefiniteForm = true;
      answered = new Uint8Array(answer.toBER());
      reply(response, answered);
    };
    const issued = await client().timestamp(DIGEST);
    expect(answered[1]).toBe(0x80);
    expect(Buffer.from(answered).includes(Buffer.from(issued.token))).toBe(true);
    expect(issued.token[1]).toBe(0x80);
    expect(readTimestampToken(issued.token)).toMatchObject({
      signatureValid: true,
      timeStampingCertificate: true,
    });
  });

  it('refuses a token that follows another policy than the one asked for', async () => {
    behaviour = answerChanged((request) => {
      request.reqPolicy = undefined;
    });
    const error = await failure(client({ policy: '1.2.3.4' }).timestamp(DIGEST));
    expect(error.code).toBe('TSA_POLICY_MISMATCH');
  });

  it('retries an authority that answers 5xx, then succeeds', async () => {
    let calls = 0;
    behaviour = async (body, response) => {
      calls++;
      if (calls < 3) return void response.writeHead(503).end('busy');
      reply(response, await authority.respond(body));
    };
    const issued = await client({ attempts: 3 }).timestamp(DIGEST);
    expect(calls).toBe(3);
    expect(readTimestampToken(issued.token).signatureValid).toBe(true);
  });

  it('gives up after its attempts when the authority stays unavailable', async () => {
    behaviour = (_body, response) => void response.writeHead(502).end();
    const before = requests;
    const error = await failure(client({ attempts: 2 }).timestamp(DIGEST));
    expect(error.code).toBe('TSA_UNAVAILABLE');
    expect(error.message).toContain('after 2 attempt(s): HTTP 502');
    expect(requests - before).toBe(2);
  });

  it('abandons an attempt that gets no answer within its timeout', async () => {
    behaviour = () => {};
    const error = await failure(client({ attempts: 1, timeoutMs: 200 }).timestamp(DIGEST));
    expect(error.code).toBe('TSA_UNAVAILABLE');
    expect(error.message).toContain('no answer within 200 ms');
  });

  it('reports a 4xx or a body that is no timestamp reply as a bad response, without retrying', async () => {
    behaviour = (_body, response) => void response.writeHead(400).end('bad');
    const before = requests;
    expect((await failure(client({ attempts: 3 }).timestamp(DIGEST))).code).toBe('TSA_BAD_RESPONSE');
    expect(requests - before).toBe(1);
    behaviour = (_body, response) => reply(response, new TextEncoder().encode('<html>'));
    expect((await failure(client().timestamp(DIGEST))).code).toBe('TSA_BAD_RESPONSE');
  });
});

describe('createLocalTimestampAuthority', () => {
  const request = (imprint: Uint8Array, algorithmId: string = CMS_OID.sha256) =>
    new Uint8Array(
      new TimeStampReq({
        version: 1,
        messageImprint: new MessageImprint({
          hashAlgorithm: new AlgorithmIdentifier({ algorithmId }),
          hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
        }),
        certReq: true,
      })
        .toSchema()
        .toBER(),
    );

  /** The request for DIGEST as `change` rewrites it. */
  const changed = (change: (request: TimeStampReq) => void) => {
    const changing = TimeStampReq.fromBER(request(DIGEST));
    change(changing);
    return new Uint8Array(changing.toSchema().toBER());
  };

  it('keeps its key and raises serial numbers across restarts', async () => {
    const directory = join(folder, 'restart');
    const first = await createLocalTimestampAuthority({ directory });
    const serialOf = async (tsa: LocalTimestampAuthority) => {
      const answer = TimeStampResp.fromBER(await tsa.respond(request(DIGEST)));
      return readTimestampToken(new Uint8Array(answer.timeStampToken?.toSchema().toBER() ?? [])).serialNumber;
    };
    expect([await serialOf(first), await serialOf(first)]).toEqual(['01', '02']);
    const again = await createLocalTimestampAuthority({ directory });
    expect(Buffer.from(again.certificate)).toEqual(Buffer.from(first.certificate));
    expect(await serialOf(again)).toBe('03');
  });

  it('has a certificate for time-stamping only, marked critical', () => {
    const certificate = Certificate.fromBER(authority.certificate);
    const usage = certificate.extensions?.find((extension) => extension.extnID === CMS_OID.extendedKeyUsage);
    expect(usage?.critical).toBe(true);
    expect(Buffer.from(usage?.extnValue.valueBlock.valueHexView ?? []).toString('hex')).toBe(
      '300a06082b06010505070308',
    );
  });

  it('refuses a request with extensions, of another version, with a short imprint, or that is none', async () => {
    const refusal = async (body: Uint8Array) => {
      const answer = TimeStampResp.fromBER(await authority.respond(body));
      expect(answer.timeStampToken).toBeUndefined();
      return answer.status.statusStrings?.[0]?.valueBlock.value;
    };
    const extension = new Extension({ extnID: '1.2.3.4', extnValue: new asn1js.Null().toBER() });
    expect(await refusal(changed((r) => (r.extensions = [extension])))).toBe(
      'no request extension is supported',
    );
    expect(await refusal(changed((r) => (r.version = 2)))).toBe('unsupported version 2');
    expect(await refusal(request(DIGEST.subarray(0, 31)))).toBe(
      'the imprint has the wrong length for its algorithm',
    );
    expect(await refusal(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toBe('not a TimeStampReq');
    expect(await refusal(new TextEncoder().encode('<html>'))).toBe('not a TimeStampReq');
  });

  it('keeps the nonce and the imprint of the request in its token', async () => {
    const body = changed((r) => {
      r.nonce = new asn1js.Integer({ value: 0x0102030405 });
    });
    const answer = TimeStampResp.fromBER(await authority.respond(body));
    const token = readTimestampToken(new Uint8Array(answer.timeStampToken?.toSchema().toBER() ?? []));
    expect(token).toMatchObject({ nonce: '0102030405', imprintAlgorithm: 'sha256', signatureValid: true });
    expect(token.imprint).toEqual(DIGEST);
  });

  it('refuses a SHA-1 imprint (badAlg)', async () => {
    const answer = TimeStampResp.fromBER(await authority.respond(request(Buffer.alloc(20), '1.3.14.3.2.26')));
    expect(answer.status.status).toBe(2);
    expect(answer.timeStampToken).toBeUndefined();
    expect(answer.status.failInfo?.valueBlock.valueHexView[0]).toBe(0x80);
  });
});

describe('readTimestampToken', () => {
  it("reads a token openssl issued (accuracy in milliseconds, ordering, the authority's name) as its issuer wrote it", async () => {
    const tsa = join(folder, 'tsa');
    const config = join(folder, 'openssl-tsa.cnf');
    await writeFile(join(folder, 'openssl-serial'), '2a\n'); // the last serial issued
    await writeFile(
      config,
      [
        '[ tsa ]',
        'default_tsa = local',
        '[ local ]',
        `serial = ${join(folder, 'openssl-serial')}`,
        `signer_cert = ${join(tsa, 'tsa.cert.pem')}`,
        `signer_key = ${join(tsa, 'tsa.key.pem')}`,
        'signer_digest = sha256',
        'default_policy = 1.2.3.4.1',
        'digests = sha256',
        'accuracy = secs:1, millisecs:500',
        'ordering = yes',
        'tsa_name = yes',
        'ess_cert_id_alg = sha256',
        '',
      ].join('\n'),
    );
    const query = join(folder, 'openssl.tsq');
    const reply = join(folder, 'openssl.tsr');
    const request = new TimeStampReq({
      version: 1,
      messageImprint: new MessageImprint({
        hashAlgorithm: new AlgorithmIdentifier({ algorithmId: CMS_OID.sha256 }),
        hashedMessage: new asn1js.OctetString({ valueHex: DIGEST }),
      }),
      nonce: new asn1js.Integer({ value: 4242 }),
      certReq: true,
    });
    await writeFile(query, new Uint8Array(request.toSchema().toBER()));
    await execFileAsync('openssl', ['ts', '-reply', '-config', config, '-queryfile', query, '-out', reply]);
    const answer = (asn1js.fromBER(await readFile(reply)).result as asn1js.Sequence).valueBlock.value[1];
    const token = readTimestampToken(new Uint8Array(answer?.valueBeforeDecodeView ?? []));
    expect(token).toMatchObject({
      serialNumber: '2b',
      policy: '1.2.3.4.1',
      imprintAlgorithm: 'sha256',
      nonce: '1092',
      authority: 'Dịch vụ cấp dấu thời gian cục bộ motcua',
      signatureValid: true,
      timeStampingCertificate: true,
    });
    expect(token.imprint).toEqual(DIGEST);
    expect(Math.abs(token.genTime.getTime() - Date.now())).toBeLessThan(60_000);
  });
});
