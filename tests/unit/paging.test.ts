/** Pages read with `LIMIT limit + 1` (infra/db/sql-conditions.ts): the extra row only says that more follow. */
import { pageOf } from '../../infra/db/sql-conditions';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1 }));
const page = (n: number, limit: number) => pageOf(rows(n), limit, (row) => ({ key: `k${row.id}` }), (last) => last.key);

describe('pageOf', () => {
  it('keeps the first `limit` rows and continues after the last one when the extra row came back', () => {
    expect(page(4, 3)).toEqual({ items: [{ key: 'k1' }, { key: 'k2' }, { key: 'k3' }], next: 'k3' });
  });

  it('has no next position when no extra row came back', () => {
    expect(page(3, 3)).toEqual({ items: [{ key: 'k1' }, { key: 'k2' }, { key: 'k3' }], next: null });
    expect(page(0, 3)).toEqual({ items: [], next: null });
  });
});
