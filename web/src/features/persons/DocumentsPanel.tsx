/**
 * A case's documents on its page: the list (its own, its steps' and its person's), an upload form
 * (kind, the ISEE's expiry, the file: PDF, JPEG or PNG, recognised by the server from the content)
 * and downloads. A download goes through the API with the session's token (every one is audited),
 * then is handed to the browser as a file; nothing is cached.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { ProblemAlert } from '../../components/feedback';

type DocumentKind = Schemas['Document']['kind'];
const kinds: DocumentKind[] = ['isee', 'pad', 'pais_signed', 'identity_document', 'residenza_fittizia'];

export function DocumentsPanel({ caseId, mayUpload }: { caseId: string; mayUpload: boolean }) {
  const { t } = useTranslation('operator');
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<DocumentKind>('isee');
  const [expiresOn, setExpiresOn] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const queryKey = ['case-documents', caseId];
  const documents = useQuery({ queryKey, queryFn: () => unwrap(api.GET('/cases/{caseId}/documents', { params: { path: { caseId } } })) });

  const upload = useMutation({
    mutationFn: async () => {
      const body = new FormData();
      body.append('file', file as File);
      return unwrap(
        api.POST('/cases/{caseId}/documents', {
          params: { path: { caseId }, query: { kind, ...(kind === 'isee' && expiresOn ? { expiresOn } : {}) } },
          // multipart: the browser sets the boundary
          body: body as never,
          bodySerializer: (value: unknown) => value as FormData,
        }),
      );
    },
    onSuccess: async (document) => {
      setSaved(t('documents.saved', { name: document.fileName ?? t(`documents.kinds.${document.kind}`) }));
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      await queryClient.invalidateQueries({ queryKey });
    },
  });

  const download = useMutation({
    mutationFn: async (document: Schemas['Document']) => {
      const { data, response } = await api.GET('/documents/{documentId}/content', { params: { path: { documentId: document.documentId } }, parseAs: 'blob' });
      if (!response.ok || !data) throw new ProblemError(response.status, {});
      const url = URL.createObjectURL(data);
      const link = window.document.createElement('a');
      link.href = url;
      link.download = document.fileName ?? `${document.kind}`;
      window.document.body.appendChild(link);
      link.click();
      link.remove();
      // Revoked once the browser has taken the file, not before.
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    if (file) upload.mutate();
  }

  const items = documents.data?.items ?? [];
  return (
    <section aria-labelledby="case-documents" className="my-4" data-testid="case-documents">
      <h2 id="case-documents" className="h4">
        {t('documents.title')}
      </h2>
      {documents.isError && <ProblemAlert error={documents.error} />}
      {items.length === 0 && documents.isSuccess && <p>{t('documents.none')}</p>}
      {items.length > 0 && (
        <ul className="list-unstyled">
          {items.map((item) => (
            <li key={item.documentId} className="d-flex flex-wrap align-items-center gap-2 mb-2" data-testid="document-row">
              <span className="badge bg-secondary">{t(`documents.kinds.${item.kind}`)}</span>
              <span>{item.fileName ?? t('documents.unnamed')}</span>
              {item.expiresOn && <span className="small">{t('documents.expires', { date: item.expiresOn })}</span>}
              <button type="button" className="btn btn-outline-primary btn-xs btn-sm" onClick={() => download.mutate(item)} disabled={download.isPending}>
                {t('documents.download')}
                <span className="visually-hidden"> {item.fileName ?? t(`documents.kinds.${item.kind}`)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {download.isError && <ProblemAlert error={download.error} />}
      {mayUpload && (
        <form onSubmit={submit} className="mt-3" noValidate>
          <div className="row g-3 align-items-end">
            <div className="col-md-3">
              <div className="select-wrapper">
                <label htmlFor="document-kind">{t('documents.kind')}</label>
                <select id="document-kind" value={kind} onChange={(event) => setKind(event.target.value as DocumentKind)}>
                  {kinds.map((value) => (
                    <option key={value} value={value}>
                      {t(`documents.kinds.${value}`)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            {kind === 'isee' && (
              <div className="col-md-3 form-group mb-0">
                <label htmlFor="document-expires" className="active">
                  {t('documents.expiresOn')}
                </label>
                <input id="document-expires" type="date" className="form-control" value={expiresOn} onChange={(event) => setExpiresOn(event.target.value)} />
              </div>
            )}
            <div className="col-md-4">
              <label htmlFor="document-file">{t('documents.file')}</label>
              <input id="document-file" ref={fileInput} type="file" className="form-control" accept="application/pdf,image/jpeg,image/png" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
            </div>
            <div className="col-md-2">
              <button type="submit" className="btn btn-primary" disabled={!file || upload.isPending}>
                {t('documents.upload')}
              </button>
            </div>
          </div>
          {upload.isError && <ProblemAlert error={upload.error} />}
          {saved && (
            <p className="mt-2" role="status" data-testid="document-saved">
              {saved}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
