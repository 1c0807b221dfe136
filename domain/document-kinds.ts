/**
 * What a stored document is: a code list, so filters, counts and the ISEE renewal rule read codes,
 * never file names. Pure data (labels live in the console's locales).
 */
export const documentKinds = ['isee', 'pad', 'pais_signed', 'identity_document', 'residenza_fittizia'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** File types a document may have, recognised from its first bytes (never from the name or the declared type). */
export const documentContentTypes = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type DocumentContentType = (typeof documentContentTypes)[number];

/**
 * The ISEE certificate's default expiry: 31 December of the year it was issued in (DPCM 159/2013
 * as amended), here the upload's year in Europe/Rome when the uploader gives no date.
 */
export function defaultIseeExpiry(uploadedAt: Date): string {
  const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Rome', year: 'numeric' }).format(uploadedAt));
  return `${year}-12-31`;
}
