/**
 * Every string of the console exists in both languages: the Italian and English locale files of
 * each namespace hold the same keys (plural forms aside, which differ by language), and no value
 * is empty.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const localesDir = path.resolve(__dirname, '..', '..', 'web', 'src', 'locales');
type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') entries.set(name, value);
    else for (const [inner, text] of flatten(value, name)) entries.set(inner, text);
  }
  return entries;
}

const read = (language: string, namespace: string) => flatten(JSON.parse(readFileSync(path.join(localesDir, language, `${namespace}.json`), 'utf8')) as Tree);
// i18next plural suffixes: Italian and English both use _one/_other, but either may add _zero or _many.
const withoutPlural = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');

const namespaces = readdirSync(path.join(localesDir, 'it')).filter((file) => file.endsWith('.json')).map((file) => file.replace(/\.json$/, ''));

it('has the same namespaces in Italian and English', () => {
  const english = readdirSync(path.join(localesDir, 'en')).filter((file) => file.endsWith('.json')).map((file) => file.replace(/\.json$/, ''));
  expect(english.sort()).toEqual([...namespaces].sort());
  expect(namespaces).toEqual(expect.arrayContaining(['common', 'operator', 'supervisor', 'coordinator']));
});

describe.each(namespaces)('namespace %s', (namespace) => {
  it('has every key in both languages, none empty', () => {
    const italian = read('it', namespace);
    const english = read('en', namespace);
    const keys = (entries: Map<string, string>) => [...new Set([...entries.keys()].map(withoutPlural))].sort();
    expect(keys(english)).toEqual(keys(italian));
    const empty = [...italian, ...english].filter(([, text]) => text.trim() === '').map(([key]) => key);
    expect(empty).toEqual([]);
    expect(italian.size).toBeGreaterThan(0);
  });
});
