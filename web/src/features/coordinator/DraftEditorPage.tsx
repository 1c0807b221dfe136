/**
 * The draft editor. Every edit is saved to the draft and checked by the API after a pause in
 * typing (400 ms): the draft's PUT refuses a malformed document with the path of each problem, and
 * the validate call runs the static checks publishing will run. Issues show next to the inputs
 * their paths name and in a summary that leads to them; the diagram follows the document as it is
 * typed. Publishing asks for confirmation and opens the new version.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { useSession } from '../../auth/session';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { Breadcrumb, formatDateTime, OpenDraftButton } from './common';
import { IssuesContext, JsonInput, LocalizedInput, SelectInput, TextInput } from './fields';
import { inputId, localized, newStep, orderedStepIds, pathKey, renameStep, stepKinds, type DefinitionDoc, type DocPath, type StepDoc, type StepKind } from './model';
import { usePathLabel } from './issue-path';
import { issueView, useIssueText, type PathwayIssueView } from './issue-text';
import { FormFieldsEditor, StepEditor } from './StepEditor';

const PathwayGraph = lazy(() => import('./PathwayGraph'));

type Issue = PathwayIssueView;

type CheckState =
  | { kind: 'idle' }
  | { kind: 'pending' }
  | { kind: 'saved'; at: string; valid: boolean }
  | { kind: 'rejected' }
  | { kind: 'gone' }
  | { kind: 'failed'; error: unknown };

const GENERAL = '';

/** The step an issue belongs to ('' for the pathway's own properties). */
const stepOfIssue = (path: Issue['path']): string => (path[0] === 'steps' && typeof path[1] === 'string' ? path[1] : GENERAL);

export default function DraftEditorPage() {
  const { key = '' } = useParams();
  const { t } = useTranslation('coordinator');
  const draft = useQuery({
    queryKey: ['pathway-draft', key],
    queryFn: () => unwrap(api.GET('/pathways/{key}/draft', { params: { path: { key } } })),
    // The editor owns the document once loaded: refetching under it would undo typing. Forgotten
    // as soon as the editor closes, so coming back always loads the draft as saved.
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  if (draft.isPending) return <PageLoading />;
  if (draft.isError) {
    const missing = draft.error instanceof ProblemError && draft.error.status === 404;
    return (
      <>
        <Breadcrumb items={[{ to: '/console/pathways', label: t('list.title') }, { label: key }]} />
        <h1 className="h3">{t('editor.title', { title: key })}</h1>
        {missing ? (
          <>
            <p>{t('editor.noDraft')}</p>
            <OpenDraftButton pathwayKey={key} />
          </>
        ) : (
          <ProblemAlert error={draft.error} />
        )}
      </>
    );
  }
  return <Editor key={draft.data.createdAt} pathwayKey={key} initial={draft.data.document as unknown as DefinitionDoc} updatedAt={draft.data.updatedAt} />;
}

function Editor({ pathwayKey, initial, updatedAt }: { pathwayKey: string; initial: DefinitionDoc; updatedAt: string }) {
  const { t, i18n } = useTranslation('coordinator');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [doc, setDoc] = useState<DefinitionDoc>(initial);
  const [graphDoc, setGraphDoc] = useState<DefinitionDoc>(initial);
  const [selected, setSelected] = useState<string>(initial.start ?? GENERAL);
  const [view, setView] = useState<'form' | 'json'>('form');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [state, setState] = useState<CheckState>({ kind: 'idle' });
  const [lastSaved, setLastSaved] = useState(updatedAt);
  const { actor } = useSession();
  // Drafts carry no version or ETag: a save replaces the whole document. Watch for someone else's save.
  const remote = useQuery({
    queryKey: ['pathway-draft-remote', pathwayKey],
    queryFn: () => unwrap(api.GET('/pathways/{key}/draft', { params: { path: { key: pathwayKey } } })),
    refetchInterval: 20_000,
    refetchOnWindowFocus: true,
    staleTime: 0,
    retry: false,
  });
  const foreign = remote.data && remote.data.updatedBy !== actor.id && Date.parse(remote.data.updatedAt) > Date.parse(lastSaved) ? remote.data : null;
  const [confirming, setConfirming] = useState(false);
  const focusPath = useRef<DocPath | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const [newStepId, setNewStepId] = useState('');
  const [newStepKind, setNewStepKind] = useState<StepKind>('task');
  const [newStepError, setNewStepError] = useState<string | null>(null);
  const edits = useRef(0);
  const queue = useRef<Promise<void>>(Promise.resolve());
  /** The newest edit not yet sent to the API. */
  const unsaved = useRef<DefinitionDoc | null>(null);

  /** Saves `document` as the draft and validates it; only the newest edit's answer is shown. */
  const check = useCallback(
    (document: DefinitionDoc | null, edit: number) => {
      queue.current = queue.current.then(async () => {
        if (edit !== edits.current) return; // a newer edit is on its way
        setState({ kind: 'pending' });
        if (document && unsaved.current === document) unsaved.current = null;
        try {
          // null: only check the draft as stored (on opening, so issues show before the first edit).
          const saved = document
            ? await unwrap(api.PUT('/pathways/{key}/draft', { params: { path: { key: pathwayKey } }, body: document as unknown as Record<string, unknown> }))
            : null;
          if (saved) setLastSaved(saved.updatedAt);
          const validation = await unwrap(api.POST('/pathways/{key}/draft/validate', { params: { path: { key: pathwayKey } } }));
          if (edit !== edits.current) return;
          setIssues(validation.issues.map(issueView));
          setState({ kind: 'saved', at: saved?.updatedAt ?? updatedAt, valid: validation.valid });
        } catch (error) {
          if (edit !== edits.current) return;
          if (error instanceof ProblemError && error.status === 422) {
            // Refused, so not saved: closing the tab should still ask before these edits are lost.
            if (document && unsaved.current === null) unsaved.current = document;
            setIssues((error.problem.issues ?? []).map(issueView));
            setState({ kind: 'rejected' });
          } else if (error instanceof ProblemError && (error.status === 409 || error.status === 404)) {
            setState({ kind: 'gone' });
          } else {
            // Not saved (network, server): keep it for the next save or for leaving the editor.
            if (document && unsaved.current === null) unsaved.current = document;
            setState({ kind: 'failed', error });
          }
        }
      });
    },
    [pathwayKey, updatedAt],
  );

  // Check the draft as loaded, so its issues show before the first edit.
  useEffect(() => {
    check(null, edits.current);
  }, [check]);

  const edit = (next: DefinitionDoc) => {
    edits.current += 1;
    unsaved.current = next;
    setDoc(next);
    setState({ kind: 'pending' });
  };

  // Leaving the editor within the pause after an edit still saves it (no check: nobody is looking).
  useEffect(
    () => () => {
      const pending = unsaved.current;
      // Behind any save still in flight, so an older document can never land after this one.
      if (pending) {
        queue.current = queue.current.then(async () => {
          await api.PUT('/pathways/{key}/draft', { params: { path: { key: pathwayKey } }, body: pending as unknown as Record<string, unknown> });
        });
      }
    },
    [pathwayKey],
  );

  // Closing the tab within the pause after an edit: let the browser ask first.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (unsaved.current) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  // Debounce: save and check 400 ms after the last edit; the diagram follows at the same pace.
  useEffect(() => {
    if (doc === initial) return;
    const edit = edits.current;
    const timer = window.setTimeout(() => {
      setGraphDoc(doc);
      check(doc, edit);
    }, 400);
    return () => window.clearTimeout(timer);
  }, [doc, initial, check]);

  const saveNow = () => {
    edits.current += 1;
    setGraphDoc(doc);
    check(doc, edits.current);
  };

  const publish = useMutation({
    mutationFn: async () => {
      await queue.current;
      return unwrap(api.POST('/pathways/{key}/draft/publish', { params: { path: { key: pathwayKey } } }));
    },
    onSuccess: async (version) => {
      await queryClient.invalidateQueries({ queryKey: ['pathways'] });
      queryClient.removeQueries({ queryKey: ['pathway-draft', pathwayKey] });
      void navigate(`/console/pathways/${pathwayKey}/versions/${version.version}?published=1`);
    },
    onError: (error) => {
      setConfirming(false);
      if (error instanceof ProblemError && error.status === 422) {
        setIssues((error.problem.issues ?? []).map(issueView));
      }
    },
  });

  const issueText = useIssueText();
  const issueMap = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const issue of issues) map.set(pathKey(issue.path), [...(map.get(pathKey(issue.path)) ?? []), issueText(issue)]);
    return map;
  }, [issues, issueText]);
  const issuesByStep = useMemo(() => {
    const counts = new Map<string, number>();
    for (const issue of issues) counts.set(stepOfIssue(issue.path), (counts.get(stepOfIssue(issue.path)) ?? 0) + 1);
    return counts;
  }, [issues]);

  // After a summary link selects a step, focus the input its issue names (or the closest enclosing one).
  useEffect(() => {
    const path = focusPath.current;
    if (!path) return;
    focusPath.current = null;
    for (let length = path.length; length > 0; length -= 1) {
      const element = document.getElementById(inputId(path.slice(0, length)));
      if (element) {
        element.focus();
        element.scrollIntoView({ block: 'center' });
        break;
      }
    }
  }, [focusRequest]);

  const steps = useMemo(() => (doc.steps && typeof doc.steps === 'object' ? doc.steps : {}), [doc.steps]);
  const order = useMemo(() => orderedStepIds(doc), [doc]);
  const stepIds = order.map((id) => ({ value: id, label: `${localized(steps[id]?.title, i18n.language) || id} (${id})` }));
  const services = useMemo(() => {
    const found = new Set(['outreach', 'oss', 'social', 'employment']);
    for (const step of Object.values(steps)) {
      if (step?.assignee?.service) found.add(step.assignee.service);
      if (step?.to?.service) found.add(step.to.service);
    }
    return [...found].sort();
  }, [steps]);
  const title = localized(doc.title, i18n.language) || pathwayKey;
  const selectedStep: StepDoc | undefined = selected === GENERAL ? undefined : steps[selected];
  const highlight = useMemo(() => (selected === GENERAL ? undefined : new Set([selected])), [selected]);
  const canPublish = state.kind === 'saved' && state.valid && issues.length === 0;

  const addStep = () => {
    const id = newStepId.trim();
    if (!stepIdPattern.test(id)) return setNewStepError(t('editor.newStepIdInvalid'));
    if (id in steps) return setNewStepError(t('editor.newStepIdTaken', { id }));
    setNewStepError(null);
    edit({ ...doc, steps: { ...steps, [id]: newStep(newStepKind, t(`kinds.${newStepKind}`)) } });
    setSelected(id);
    setNewStepId('');
  };

  const removeStep = (id: string) => {
    const { [id]: _removed, ...rest } = steps;
    edit({ ...doc, steps: rest });
    setSelected(GENERAL);
  };

  // Beside the inputs on wide screens (sticky, so it stays in view while editing); below them on tablets.
  const graphSection = (
    <section className="col-xl-4 mb-4" aria-labelledby="pw-graph-heading">
      <div className="sticky-xl-top" style={{ top: '1rem' }}>
        <h2 className="h4" id="pw-graph-heading">
          {t('graph.title')}
        </h2>
        <Suspense fallback={<PageLoading />}>
          <PathwayGraph doc={graphDoc} height={640} highlight={highlight} />
        </Suspense>
      </div>
    </section>
  );

  return (
    <IssuesContext.Provider value={issueMap}>
      <Breadcrumb items={[{ to: '/console/pathways', label: t('list.title') }, { label: title }, { label: t('editor.breadcrumb') }]} />
      <h1 className="h3">{t('editor.title', { title })}</h1>
      <p>{t('editor.intro')}</p>

      <div className="d-flex flex-wrap align-items-center gap-3 mb-3 p-3 border rounded bg-light">
        <div className="flex-grow-1" role="status" aria-live="polite" data-testid="draft-status">
          <StatusText state={state} issues={issues.length} lastSaved={lastSaved} />
        </div>
        <button type="button" className="btn btn-outline-primary" onClick={saveNow}>
          {t('editor.saveNow')}
        </button>
        <Link className="btn btn-outline-primary" to={`/console/pathways/${pathwayKey}/diff?to=draft`}>
          {t('editor.compareLatest')}
        </Link>
        <button type="button" className="btn btn-primary" disabled={!canPublish || publish.isPending} onClick={() => setConfirming(true)}>
          {t('editor.publish')}
        </button>
      </div>
      {confirming ? (
        <div className="alert alert-warning" role="alertdialog" aria-labelledby="pw-publish-title" aria-describedby="pw-publish-text">
          <h2 className="h5" id="pw-publish-title">
            {t('editor.confirmTitle')}
          </h2>
          <p id="pw-publish-text">{t('editor.confirmText')}</p>
          <div className="d-flex gap-2">
            <button type="button" className="btn btn-primary" disabled={publish.isPending} onClick={() => publish.mutate()} autoFocus>
              {t('editor.confirmPublish')}
            </button>
            <button type="button" className="btn btn-outline-secondary" onClick={() => setConfirming(false)}>
              {t('common:cancel')}
            </button>
          </div>
        </div>
      ) : null}
      {foreign ? (
        <div className="alert alert-warning" role="alert" data-testid="foreign-edit">
          <p className="mb-2">{t('editor.foreignEdit', { who: foreign.updatedBy, time: formatDateTime(foreign.updatedAt, i18n.language) })}</p>
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            onClick={() => {
              setLastSaved(foreign.updatedAt);
              edit(foreign.document as unknown as DefinitionDoc);
            }}
          >
            {t('editor.loadTheirs')}
          </button>
        </div>
      ) : null}
      {publish.isError ? <ProblemAlert error={publish.error} title={t('editor.publishFailed')} /> : null}
      {state.kind === 'failed' ? <ProblemAlert error={state.error} title={t('editor.saveFailed')} /> : null}

      <IssueSummary
        issues={issues}
        stepTitle={(id) => (id === GENERAL ? t('editor.general') : `${localized(steps[id]?.title, i18n.language) || id} (${id})`)}
        onGo={(issue) => {
          setView('form');
          setSelected(stepOfIssue(issue.path) in steps ? stepOfIssue(issue.path) : GENERAL);
          focusPath.current = issue.path;
          setFocusRequest((request) => request + 1);
        }}
      />

      <div className="btn-group mb-3" role="group" aria-label={t('editor.viewLabel')}>
        <button type="button" className={`btn ${view === 'form' ? 'btn-primary' : 'btn-outline-primary'}`} aria-pressed={view === 'form'} onClick={() => setView('form')}>
          {t('editor.formView')}
        </button>
        <button type="button" className={`btn ${view === 'json' ? 'btn-primary' : 'btn-outline-primary'}`} aria-pressed={view === 'json'} onClick={() => setView('json')}>
          {t('editor.jsonView')}
        </button>
      </div>

      {view === 'json' ? (
        <div className="row">
          <div className="col-xl-8">
            <JsonInput path={['document']} label={t('editor.jsonLabel')} hint={t('editor.jsonHint')} value={doc} rows={30} onChange={(value) => value && typeof value === 'object' && edit(value as DefinitionDoc)} />
          </div>
          {graphSection}
        </div>
      ) : (
        <div className="row">
          <div className="col-lg-4 col-xl-3 mb-4">
            <h2 className="h5">{t('editor.steps')}</h2>
            <ul className="list-unstyled" data-testid="step-list">
              <li className="mb-1">
                <button
                  type="button"
                  className={`btn w-100 text-start ${selected === GENERAL ? 'btn-primary' : 'btn-outline-primary'}`}
                  aria-current={selected === GENERAL ? 'true' : undefined}
                  onClick={() => setSelected(GENERAL)}
                >
                  {t('editor.general')}
                  <IssueCount count={issuesByStep.get(GENERAL) ?? 0} />
                </button>
              </li>
              {order.map((id) => (
                <li key={id} className="mb-1">
                  <button
                    type="button"
                    className={`btn w-100 text-start ${selected === id ? 'btn-primary' : 'btn-outline-primary'}`}
                    aria-current={selected === id ? 'true' : undefined}
                    onClick={() => setSelected(id)}
                  >
                    {localized(steps[id]?.title, i18n.language) || id}
                    <span className="d-block small">
                      {t(`kinds.${steps[id]?.kind}`, { defaultValue: String(steps[id]?.kind) })} · {id}
                      {doc.start === id ? ` · ${t('editor.startMarker')}` : ''}
                    </span>
                    <IssueCount count={issuesByStep.get(id) ?? 0} />
                  </button>
                </li>
              ))}
            </ul>
            <fieldset className="border rounded p-3">
              <legend className="float-none w-auto px-2 h6 mb-0">{t('editor.addStep')}</legend>
              <div className="mb-2">
                <label className="form-label fw-semibold" htmlFor="pw-new-step-id">
                  {t('editor.newStepId')}
                </label>
                <input
                  id="pw-new-step-id"
                  type="text"
                  className={`form-control${newStepError ? ' is-invalid' : ''}`}
                  value={newStepId}
                  aria-describedby="pw-new-step-hint pw-new-step-error"
                  aria-invalid={newStepError !== null || undefined}
                  onChange={(event) => setNewStepId(event.target.value)}
                />
                <small id="pw-new-step-hint" className="form-text d-block">
                  {t('editor.newStepIdHint')}
                </small>
                <div id="pw-new-step-error" className="invalid-feedback d-block">
                  {newStepError ? `⚠ ${newStepError}` : null}
                </div>
              </div>
              <div className="mb-2">
                <label className="form-label fw-semibold" htmlFor="pw-new-step-kind">
                  {t('editor.newStepKind')}
                </label>
                <select id="pw-new-step-kind" className="form-select" value={newStepKind} onChange={(event) => setNewStepKind(event.target.value as StepKind)}>
                  {stepKinds.map((kind) => (
                    <option key={kind} value={kind}>
                      {t(`kinds.${kind}`)}
                    </option>
                  ))}
                </select>
              </div>
              <button type="button" className="btn btn-outline-primary" onClick={addStep}>
                {t('editor.addStepButton')}
              </button>
            </fieldset>
          </div>
          <section className="col-lg-8 col-xl-5 mb-4" aria-labelledby="pw-selected-heading">
            {selectedStep ? (
              <>
                <div className="d-flex flex-wrap justify-content-between align-items-start gap-2">
                  <h2 className="h4" id="pw-selected-heading">
                    {localized(selectedStep.title, i18n.language) || selected}{' '}
                    <span className="badge bg-secondary align-middle">{t(`kinds.${selectedStep.kind}`, { defaultValue: String(selectedStep.kind) })}</span>
                  </h2>
                  <RemoveStepButton stepId={selected} onRemove={() => removeStep(selected)} />
                </div>
                <RenameStep
                  stepId={selected}
                  taken={(id) => id in steps}
                  onRename={(id) => {
                    edit(renameStep(doc, selected, id));
                    setSelected(id);
                  }}
                />
                <StepEditor
                  key={selected}
                  stepId={selected}
                  step={selectedStep}
                  stepIds={stepIds}
                  services={services}
                  onChange={(step) => edit({ ...doc, steps: { ...steps, [selected]: step } })}
                />
              </>
            ) : (
              <>
                <h2 className="h4" id="pw-selected-heading">
                  {t('editor.general')}
                </h2>
                <LocalizedInput path={['title']} label={t('editor.pathwayTitle')} value={doc.title} onChange={(value) => edit({ ...doc, title: value ?? { it: '' } })} />
                <LocalizedInput path={['description']} label={t('editor.pathwayDescription')} optional value={doc.description} onChange={(description) => edit({ ...doc, description })} />
                <SelectInput path={['start']} label={t('editor.start')} value={doc.start} options={stepIds} empty={t('editor.chooseStep')} onChange={(start) => edit({ ...doc, start: start ?? '' })} />
                <TextInput
                  path={['outcomes']}
                  label={t('editor.caseOutcomes')}
                  hint={t('editor.caseOutcomesHint')}
                  value={(doc.outcomes ?? []).join(', ')}
                  onChange={(text) => edit({ ...doc, outcomes: text.split(',').map((s) => s.trim()).filter(Boolean) })}
                />
                <fieldset className="border rounded p-3 mb-3">
                  <legend className="float-none w-auto px-2 h6 mb-0">{t('editor.caseFields')}</legend>
                  <p className="small">{t('editor.caseFieldsHint')}</p>
                  <FormFieldsEditor path={['caseFields']} fields={doc.caseFields ?? []} onChange={(caseFields) => edit({ ...doc, caseFields })} />
                </fieldset>
              </>
            )}
          </section>
          {graphSection}
        </div>
      )}
    </IssuesContext.Provider>
  );
}

function IssueCount({ count }: { count: number }) {
  const { t } = useTranslation('coordinator');
  if (count === 0) return null;
  return <span className="badge bg-danger ms-2">{t('editor.issueCount', { count })}</span>;
}

const stepIdPattern = /^[a-z][a-z0-9_]{0,62}$/;

/** The step's code, and a small form to change it (every reference follows). */
function RenameStep({ stepId, taken, onRename }: { stepId: string; taken: (id: string) => boolean; onRename: (id: string) => void }) {
  const { t } = useTranslation('coordinator');
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(stepId);
  const [error, setError] = useState<string | null>(null);
  if (!editing) {
    return (
      <p className="small d-flex align-items-center gap-2 flex-wrap">
        <span>
          {t('editor.stepId')}: <code>{stepId}</code>
        </span>
        <button
          type="button"
          className="btn btn-outline-primary btn-sm py-1"
          onClick={() => {
            setValue(stepId);
            setError(null);
            setEditing(true);
          }}
        >
          {t('editor.renameStep')}
        </button>
      </p>
    );
  }
  const submit = () => {
    const id = value.trim();
    if (id === stepId) return setEditing(false);
    if (!stepIdPattern.test(id)) return setError(t('editor.newStepIdInvalid'));
    if (taken(id)) return setError(t('editor.newStepIdTaken', { id }));
    setEditing(false);
    onRename(id);
  };
  return (
    <div className="border rounded p-2 mb-3">
      <label className="form-label fw-semibold" htmlFor="pw-rename-step">
        {t('editor.renameLabel')}
      </label>
      <input
        id="pw-rename-step"
        type="text"
        className={`form-control${error ? ' is-invalid' : ''}`}
        value={value}
        aria-describedby="pw-rename-hint pw-rename-error"
        aria-invalid={error !== null || undefined}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') submit();
        }}
        autoFocus
      />
      <small id="pw-rename-hint" className="form-text d-block">
        {t('editor.renameHint')}
      </small>
      <div id="pw-rename-error" className="invalid-feedback d-block">
        {error ? `⚠ ${error}` : null}
      </div>
      <div className="d-flex gap-2 mt-2">
        <button type="button" className="btn btn-primary btn-sm" onClick={submit}>
          {t('editor.renameConfirm')}
        </button>
        <button type="button" className="btn btn-outline-secondary btn-sm" onClick={() => setEditing(false)}>
          {t('common:cancel')}
        </button>
      </div>
    </div>
  );
}

function RemoveStepButton({ stepId, onRemove }: { stepId: string; onRemove: () => void }) {
  const { t } = useTranslation('coordinator');
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn btn-outline-danger btn-sm" onClick={() => setAsking(true)}>
        {t('editor.removeStep')}
      </button>
    );
  }
  return (
    <div className="d-flex gap-2 align-items-center" role="group" aria-label={t('editor.removeStepConfirm', { id: stepId })}>
      <span>{t('editor.removeStepConfirm', { id: stepId })}</span>
      <button type="button" className="btn btn-danger btn-sm" onClick={onRemove} autoFocus>
        {t('editor.removeStepYes')}
      </button>
      <button type="button" className="btn btn-outline-secondary btn-sm" onClick={() => setAsking(false)}>
        {t('common:cancel')}
      </button>
    </div>
  );
}

function StatusText({ state, issues, lastSaved }: { state: CheckState; issues: number; lastSaved: string }) {
  const { t, i18n } = useTranslation('coordinator');
  switch (state.kind) {
    case 'idle':
    case 'pending':
      return <span>{t('editor.statusChecking')}</span>;
    case 'saved':
      return (
        <span>
          <span className={`badge ${issues === 0 ? 'bg-success' : 'bg-warning text-dark'} me-2`}>{issues === 0 ? t('editor.statusValid') : t('editor.statusIssues', { count: issues })}</span>
          {t('editor.statusSaved', { time: formatDateTime(state.at, i18n.language) })}
        </span>
      );
    case 'rejected':
      return (
        <span>
          <span className="badge bg-danger me-2">{t('editor.statusInvalid', { count: issues })}</span>
          {t('editor.statusNotSaved', { time: formatDateTime(lastSaved, i18n.language) })}
        </span>
      );
    case 'gone':
      return <span className="text-danger">{t('editor.statusGone')}</span>;
    case 'failed':
      return <span className="text-danger">{t('editor.saveFailed')}</span>;
  }
}

function IssueSummary({ issues, stepTitle, onGo }: { issues: Issue[]; stepTitle: (id: string) => string; onGo: (issue: Issue) => void }) {
  const { t } = useTranslation('coordinator');
  const issueText = useIssueText();
  const pathLabel = usePathLabel();
  return (
    <div aria-live="polite" data-testid="issue-summary">
      {issues.length > 0 ? (
        <div className="alert alert-warning">
          <h2 className="h5">{t('editor.issuesTitle', { count: issues.length })}</h2>
          <ul className="mb-0">
            {issues.map((issue, index) => (
              <li key={`${pathKey(issue.path)}-${index}`}>
                <a
                  href={`#${inputId(issue.path)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    onGo(issue);
                  }}
                >
                  {stepTitle(stepOfIssue(issue.path))}
                </a>
                : <span data-testid="issue-where">{pathLabel(issue.path)}</span> — {issueText(issue)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
