/**
 * Exports for a period: CSV files of cases, tasks and events (codes, dates and pseudonymous ids
 * only), downloaded with the bytes received shown while the server streams them; and the funders'
 * indicators (people taken in, plans signed, outcomes at closure) as tables.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button } from 'design-react-kit';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { addDays, localDateInput, useFormat } from './format';
import { AreaSelect, SupervisionNav } from './parts';

const reports = ['cases', 'tasks', 'events'] as const;
type Report = (typeof reports)[number];
type Period = { from: string; to: string };

type Download = { report: Report; state: 'running'; bytes: number } | { report: Report; state: 'done'; bytes: number; fileName: string } | { report: Report; state: 'failed'; error: unknown };

/** Streams a CSV export, reporting bytes as they arrive, then hands it to the browser as a file. */
async function downloadCsv(report: Report, period: Period, onBytes: (bytes: number) => void): Promise<{ bytes: number; fileName: string }> {
  const path = `/reports/${report}.csv` as const;
  const { data, error, response } = await api.GET(path, { params: { query: period }, parseAs: 'stream' });
  if (!response.ok || !data) throw new ProblemError(response.status, error ?? {});
  const reader = (data as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    onBytes(bytes);
  }
  const fileName = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `${report}-${period.from}-${period.to}.csv`;
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser time to start the download before the object URL goes.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { bytes, fileName };
}

function Indicators({ period, areaId }: { period: Period; areaId: string }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const indicators = useQuery({
    queryKey: ['supervisor', 'indicators', period, areaId],
    queryFn: () => unwrap(api.GET('/reports/indicators', { params: { query: { ...period, ...(areaId ? { areaId } : {}) } } })),
  });
  if (indicators.isPending) return <PageLoading label={t('exports.computing')} />;
  if (indicators.isError) return <ProblemAlert error={indicators.error} />;
  const { takenIn, plansSigned, closures } = indicators.data;
  const none = <p>{t('exports.noData')}</p>;
  return (
    <div data-testid="indicators">
      <h3 className="h5 mt-3">{t('exports.takenIn')}</h3>
      {takenIn.length === 0 ? (
        none
      ) : (
        <table className="table table-sm">
          <caption className="visually-hidden">{t('exports.takenIn')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('bulk.columns.area')}</th>
              <th scope="col">{t('exports.targetGroup')}</th>
              <th scope="col" className="text-end">
                {t('exports.people')}
              </th>
              <th scope="col" className="text-end">
                {t('exports.cases')}
              </th>
            </tr>
          </thead>
          <tbody>
            {takenIn.map((row) => (
              <tr key={`${row.areaId}:${row.targetGroup ?? ''}`}>
                <th scope="row">{format.area(row.areaId)}</th>
                <td>{row.targetGroup ? format.code('targetGroups', row.targetGroup) : t('exports.unspecified')}</td>
                <td className="text-end">{format.number(row.people)}</td>
                <td className="text-end">{format.number(row.cases)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 className="h5 mt-3">{t('exports.plansSigned')}</h3>
      {plansSigned.length === 0 ? (
        none
      ) : (
        <table className="table table-sm">
          <caption className="visually-hidden">{t('exports.plansSigned')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('bulk.columns.area')}</th>
              <th scope="col" className="text-end">
                {t('exports.cases')}
              </th>
            </tr>
          </thead>
          <tbody>
            {plansSigned.map((row) => (
              <tr key={row.areaId}>
                <th scope="row">{format.area(row.areaId)}</th>
                <td className="text-end">{format.number(row.cases)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 className="h5 mt-3">{t('exports.closures')}</h3>
      {closures.length === 0 ? (
        none
      ) : (
        <table className="table table-sm">
          <caption className="visually-hidden">{t('exports.closures')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('bulk.columns.area')}</th>
              <th scope="col">{t('exports.status')}</th>
              <th scope="col">{t('exports.outcome')}</th>
              <th scope="col" className="text-end">
                {t('exports.cases')}
              </th>
            </tr>
          </thead>
          <tbody>
            {closures.map((row) => (
              <tr key={`${row.areaId}:${row.status}:${row.outcome ?? ''}`}>
                <th scope="row">{format.area(row.areaId)}</th>
                <td>{format.code('caseStatus', row.status)}</td>
                <td>{row.outcome ?? '—'}</td>
                <td className="text-end">{format.number(row.cases)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ExportsPage() {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const today = localDateInput(new Date());
  const [from, setFrom] = useState(addDays(today, -90));
  const [to, setTo] = useState(today);
  const [areaId, setAreaId] = useState('');
  const [shown, setShown] = useState<{ period: Period; areaId: string } | null>(null);
  const [download, setDownload] = useState<Download | null>(null);
  // The form asks for the last day included; the API takes the day after it.
  const period: Period = { from, to: to ? addDays(to, 1) : '' };
  const invalid = !from || !to || from > to;

  const exportCsv = useMutation({
    mutationFn: (report: Report) => {
      setDownload({ report, state: 'running', bytes: 0 });
      return downloadCsv(report, period, (bytes) => setDownload({ report, state: 'running', bytes }));
    },
    onSuccess: (result, report) => setDownload({ report, state: 'done', ...result }),
    onError: (error, report) => setDownload({ report, state: 'failed', error }),
  });
  const showIndicators = (event: FormEvent) => {
    event.preventDefault();
    setShown({ period, areaId });
  };

  return (
    <>
      <h1 className="h2">{t('exports.title')}</h1>
      <SupervisionNav />
      <p>{t('exports.intro')}</p>
      <form onSubmit={showIndicators} noValidate>
        <fieldset className="mb-3">
          <legend className="h5">{t('exports.period')}</legend>
          <div className="row">
            <div className="col-12 col-md-4 mb-3">
              <label htmlFor="export-from" className="form-label active">
                {t('exports.from')}
              </label>
              <input id="export-from" type="date" className="form-control" value={from} max={to || undefined} onChange={(event) => setFrom(event.target.value)} />
            </div>
            <div className="col-12 col-md-4 mb-3">
              <label htmlFor="export-to" className="form-label active">
                {t('exports.to')}
              </label>
              <input id="export-to" type="date" className="form-control" value={to} min={from || undefined} onChange={(event) => setTo(event.target.value)} />
            </div>
          </div>
          {invalid ? <p className="text-danger small">{t('exports.invalidPeriod')}</p> : null}
        </fieldset>

        <section aria-labelledby="csv-title" className="mb-4">
          <h2 className="h4" id="csv-title">
            {t('exports.csvTitle')}
          </h2>
          <p>{t('exports.csvIntro')}</p>
          <div className="d-flex flex-wrap gap-2">
            {reports.map((report) => (
              <Button key={report} type="button" color="primary" outline disabled={invalid || exportCsv.isPending} onClick={() => exportCsv.mutate(report)}>
                {t(`exports.download.${report}`)}
              </Button>
            ))}
          </div>
          <div aria-live="polite" className="mt-3" data-testid="export-status">
            {download?.state === 'running' ? (
              <p role="status">
                <span className="spinner-border spinner-border-sm me-2" aria-hidden="true" />
                {t('exports.running', { report: t(`exports.reports.${download.report}`), size: format.bytes(download.bytes) })}
              </p>
            ) : null}
            {download?.state === 'done' ? <Alert color="success">{t('exports.done', { file: download.fileName, size: format.bytes(download.bytes) })}</Alert> : null}
            {download?.state === 'failed' ? <ProblemAlert error={download.error} title={t('exports.failed', { report: t(`exports.reports.${download.report}`) })} /> : null}
          </div>
        </section>

        <section aria-labelledby="indicators-title" className="mb-4">
          <h2 className="h4" id="indicators-title">
            {t('exports.indicatorsTitle')}
          </h2>
          <AreaSelect id="indicators-area" value={areaId} onChange={setAreaId} />
          <Button type="submit" color="primary" disabled={invalid}>
            {t('exports.showIndicators')}
          </Button>
          <div aria-live="polite">{shown ? <Indicators period={shown.period} areaId={shown.areaId} /> : null}</div>
        </section>
      </form>
    </>
  );
}
