/**
 * The KMS alias of an agency's signing key. Aliases cannot contain dots, so `000.17.22.H56`
 * becomes `alias/motcua/{slug}/000-17-22-H56`. Rotation moves the alias to a new key.
 */
export function signingKeyAlias(slug: string, agencyId: string): string {
  return `alias/motcua/${slug}/${agencyId.replaceAll('.', '-')}`;
}
