import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

/** Issuer of the embedded runtime's tokens (Cognito's user pool URL in AWS). */
export const LOCAL_TOKEN_ISSUER = 'motcua-local';
/** Audience of the embedded runtime's tokens (the app client id in AWS). */
export const LOCAL_TOKEN_AUDIENCE = 'motcua';

/** Who a local token speaks for. */
export interface LocalTokenOptions {
  /** Stable user id (Cognito `sub`). */
  sub: string;
  /** Cognito groups, i.e. roles: `counter-officer`, `processing-officer`, `province-admin`, … */
  groups: readonly string[];
  /** QCVN 102 id of the user's agency (`custom:agency`). */
  agencyId: string;
  /** Lifetime: seconds, or a jose time span such as `'12h'`. @default '1h' */
  ttl?: number | string;
  /** @default sub */
  username?: string;
  /** @default `{username}@motcua.local` */
  email?: string;
}

/** Issues and verifies the embedded runtime's Cognito-like ID tokens. */
export interface LocalAuth {
  issueLocalToken(options: LocalTokenOptions): Promise<string>;
  /** The token's claims; fails on a bad signature, issuer, audience or an expired token. */
  verifyLocalToken(token: string): Promise<JWTPayload>;
}

/**
 * Loads the ES256 key pair of `authDir` (`signing-key.jwk.json`, `public-key.jwk.json`),
 * generating it on first use, so tokens stay valid across restarts on the same data folder.
 */
export async function loadLocalAuth(authDir: string): Promise<LocalAuth> {
  const { privateJwk, publicJwk } = await loadOrCreateKeyPair(authDir);
  const privateKey = await importJWK(privateJwk, 'ES256');
  const publicKey = await importJWK(publicJwk, 'ES256');
  return {
    async issueLocalToken(options) {
      const username = options.username ?? options.sub;
      const ttl = options.ttl ?? '1h';
      return new SignJWT({
        'cognito:groups': [...options.groups],
        'cognito:username': username,
        'custom:agency': options.agencyId,
        email: options.email ?? `${username}@motcua.local`,
        email_verified: true,
        token_use: 'id',
        auth_time: Math.floor(Date.now() / 1000),
        jti: randomUUID(),
      })
        .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid, typ: 'JWT' })
        .setSubject(options.sub)
        .setIssuer(LOCAL_TOKEN_ISSUER)
        .setAudience(LOCAL_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(typeof ttl === 'number' ? Math.floor(Date.now() / 1000) + ttl : ttl)
        .sign(privateKey);
    },
    async verifyLocalToken(token) {
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: LOCAL_TOKEN_ISSUER,
        audience: LOCAL_TOKEN_AUDIENCE,
        algorithms: ['ES256'],
      });
      return payload;
    },
  };
}

async function loadOrCreateKeyPair(authDir: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const privatePath = join(authDir, 'signing-key.jwk.json');
  const publicPath = join(authDir, 'public-key.jwk.json');
  try {
    const privateJwk = JSON.parse(await readFile(privatePath, 'utf8')) as JWK;
    const publicJwk = JSON.parse(await readFile(publicPath, 'utf8')) as JWK;
    return { privateJwk, publicJwk };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pair = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const keys = {
    privateJwk: { ...(await exportJWK(pair.privateKey)), kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
  };
  await mkdir(authDir, { recursive: true, mode: 0o700 });
  await writeFile(publicPath, JSON.stringify(keys.publicJwk, null, 2));
  await writeFile(privatePath, JSON.stringify(keys.privateJwk, null, 2), { mode: 0o600 });
  return keys;
}
