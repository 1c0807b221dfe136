/**
 * The Italian codice fiscale of a person: 16 characters whose last one is a checksum, where the
 * digits of the date and place may be replaced by letters (omocodia, L M N P Q R S T U V for 0–9)
 * when two people would otherwise share a code. An omocodic code is a different person's code, so
 * it is never folded back to its base form. Validation comes from `codice-fiscale-js` (checksum,
 * omocodic letters, month letter); it accepts any two-digit day, so the day is checked here too.
 */
import codiceFiscaleLibrary from 'codice-fiscale-js';

// The package's types declare a default export; its CommonJS build exports `{ CodiceFiscale }`.
const CodiceFiscale = (codiceFiscaleLibrary as unknown as { CodiceFiscale?: typeof codiceFiscaleLibrary }).CodiceFiscale ?? codiceFiscaleLibrary;

const shape = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
const omocodicDigits = 'LMNPQRSTUV';

/** Why a codice fiscale is refused; null when it is valid. */
export type CodiceFiscaleProblem = 'format' | 'day' | 'checksum';

/** The canonical spelling of a code: upper case, without spaces. */
export function normaliseCodiceFiscale(code: string): string {
  return code.replace(/\s+/g, '').toUpperCase();
}

function digitOf(character: string): number {
  const omocodic = omocodicDigits.indexOf(character);
  return omocodic >= 0 ? omocodic : Number(character);
}

/** Checks a codice fiscale (already normalised): null when valid, else what is wrong. */
export function codiceFiscaleProblem(code: string): CodiceFiscaleProblem | null {
  if (!shape.test(code)) return 'format';
  // Days 1–31 for men, 41–71 for women (day + 40).
  const day = digitOf(code[9]) * 10 + digitOf(code[10]);
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return 'day';
  return CodiceFiscale.check(code) ? null : 'checksum';
}
