/**
 * The pathway graph: steps as nodes, transitions as edges labelled with their conditions, laid out
 * top-down by dagre and drawn by React Flow (read-only: it follows the document, never edits it).
 * Screen-reader users get the same graph as a list of transitions. Loaded lazily by the coordinator
 * screens only, so the graph libraries stay out of every other chunk.
 */
import { Graph, layout } from '@dagrejs/dagre';
import { Background, MarkerType, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { graphEdges, localized, type DefinitionDoc, type GraphEdge } from './model';

const NODE_WIDTH = 200;
const NODE_HEIGHT = 62;

// Border colours by kind; the kind is also written in the node, so colour is never the only cue.
const kindColours: Record<string, string> = {
  task: '#0066cc',
  decision: '#995c00',
  parallel: '#5c2f91',
  wait: '#3f5e68',
  recurring: '#3f5e68',
  goto: '#5c2f91',
  referral: '#00695c',
  end: '#1a1a1a',
};

interface Laid {
  nodes: Node[];
  edges: Edge[];
  transitions: GraphEdge[];
  missing: string[];
}

function layOut(doc: DefinitionDoc, language: string, kindLabel: (kind: string) => string, missingLabel: string, highlight: Set<string> | undefined, direction: 'TB' | 'LR'): Laid {
  const steps = doc.steps && typeof doc.steps === 'object' ? doc.steps : {};
  const transitions = graphEdges(doc, language);
  const missing = [...new Set(transitions.map((edge) => edge.to).filter((to) => !(to in steps)))];
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: direction, nodesep: 30, ranksep: 50, marginx: 10, marginy: 10 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const id of [...Object.keys(steps), ...missing]) graph.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  transitions.forEach((edge, index) => graph.setEdge(edge.from, edge.to, { width: edge.label ? 90 : 0, height: edge.label ? 20 : 0 }, String(index)));
  layout(graph);

  const nodes: Node[] = [...Object.keys(steps), ...missing].map((id) => {
    const position = graph.node(id);
    const step = steps[id];
    const isMissing = !step;
    const colour = isMissing ? '#cc334d' : (kindColours[step.kind] ?? '#1a1a1a');
    const title = isMissing ? missingLabel : localized(step.title, language) || id;
    return {
      id,
      position: { x: position.x - NODE_WIDTH / 2, y: position.y - NODE_HEIGHT / 2 },
      sourcePosition: direction === 'LR' ? Position.Right : Position.Bottom,
      targetPosition: direction === 'LR' ? Position.Left : Position.Top,
      data: {
        label: (
          <div className="small lh-sm">
            <strong className="d-block text-truncate">{doc.start === id ? `▶ ${title}` : title}</strong>
            <span>
              {isMissing ? `⚠ ${id}` : `${kindLabel(step.kind)} · ${id}`}
            </span>
          </div>
        ),
      },
      style: {
        width: NODE_WIDTH,
        border: `2px ${isMissing ? 'dashed' : 'solid'} ${colour}`,
        borderRadius: step?.kind === 'decision' ? 16 : 4,
        background: highlight?.has(id) ? '#fff4d6' : '#ffffff',
        color: '#1a1a1a',
        padding: 6,
      },
    };
  });
  const edges: Edge[] = transitions.map((edge, index) => ({
    id: `e${index}`,
    source: edge.from,
    target: edge.to,
    label: edge.label ?? (edge.kind === 'otherwise' || edge.kind === 'rejected' || edge.kind === 'body' ? edge.kind : undefined),
    markerEnd: { type: MarkerType.ArrowClosed },
    style: { strokeDasharray: edge.kind === 'otherwise' || edge.kind === 'rejected' ? '5 4' : undefined },
    labelStyle: { fill: '#1a1a1a', fontSize: 12 },
    labelBgStyle: { fill: '#ffffff' },
  }));
  return { nodes, edges, transitions, missing };
}

/** Fits the whole graph when steps or transitions come or go; with a selected step, zooms to it and its neighbours. */
function FitOnChange({ count, focus }: { count: number; focus: string[] }) {
  const flow = useReactFlow();
  const focusKey = focus.join(' ');
  useEffect(() => {
    const nodes = focusKey ? focusKey.split(' ').map((id) => ({ id })) : undefined;
    void flow.fitView({ padding: 0.15, nodes, maxZoom: 1.1, duration: 200 });
  }, [count, focusKey, flow]);
  return null;
}

/** Zoom buttons for mouse and keyboard users (the canvas itself is hidden from screen readers, which get the list). */
function ZoomButtons() {
  const { t } = useTranslation('coordinator');
  const flow = useReactFlow();
  return (
    <div className="d-flex gap-2 mb-2" role="group" aria-label={t('graph.zoom')}>
      <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => void flow.zoomIn({ duration: 150 })}>
        {t('graph.zoomIn')}
      </button>
      <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => void flow.zoomOut({ duration: 150 })}>
        {t('graph.zoomOut')}
      </button>
      <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => void flow.fitView({ padding: 0.1, duration: 150 })}>
        {t('graph.fit')}
      </button>
    </div>
  );
}

/** The graph of a definition, with a text alternative listing every transition. */
export default function PathwayGraph({
  doc,
  height = 480,
  highlight,
  direction = 'TB',
}: {
  doc: DefinitionDoc;
  height?: number;
  highlight?: Set<string>;
  /** Top-down for a narrow column, left to right for a wide page. */
  direction?: 'TB' | 'LR';
}) {
  const { t, i18n } = useTranslation('coordinator');
  const captionId = useId();
  const laid = useMemo(
    () => layOut(doc, i18n.language, (kind) => t(`kinds.${kind}`), t('graph.missingStep'), highlight, direction),
    [doc, i18n.language, t, highlight, direction],
  );
  const focus = useMemo(() => {
    if (!highlight || highlight.size === 0) return [];
    const ids = new Set(highlight);
    for (const edge of laid.transitions) {
      if (highlight.has(edge.from)) ids.add(edge.to);
      if (highlight.has(edge.to)) ids.add(edge.from);
    }
    return [...ids].sort();
  }, [highlight, laid.transitions]);
  const titleOf = (id: string) => {
    const step = doc.steps?.[id];
    return step ? `${localized(step.title, i18n.language) || id} (${id})` : `${id} — ${t('graph.missingStep')}`;
  };
  return (
    <figure className="mb-4" aria-labelledby={captionId} data-testid="pathway-graph">
      <figcaption id={captionId} className="mb-2" aria-live="polite" data-testid="graph-summary">
        {t('graph.summary', { steps: t('graph.steps', { count: laid.nodes.length - laid.missing.length }), edges: t('graph.edges', { count: laid.transitions.length }) })}
        {laid.missing.length > 0 ? ` · ${t('graph.missingCount', { count: laid.missing.length })}` : null}
      </figcaption>
      {/* Drawn for sighted users (drag to pan, double-click to zoom); the list below says the same to screen readers. */}
      <ReactFlowProvider>
        <ZoomButtons />
        <div style={{ height, border: '1px solid #5c6f82', borderRadius: 4 }} aria-hidden="true">
          <ReactFlow
            nodes={laid.nodes}
            edges={laid.edges}
            fitView
            nodesDraggable={false}
            nodesConnectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            elementsSelectable={false}
            zoomOnScroll={false}
            preventScrolling={false}
            minZoom={0.2}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <FitOnChange count={laid.nodes.length + laid.edges.length} focus={focus} />
          </ReactFlow>
        </div>
      </ReactFlowProvider>
      <ul className="visually-hidden" data-testid="graph-edges">
        {laid.transitions.map((edge, index) => (
          <li key={index}>
            {t('graph.edge', { from: titleOf(edge.from), to: titleOf(edge.to) })}
            {edge.label ? `: ${edge.label}` : edge.kind !== 'next' ? `: ${t(`graph.edgeKinds.${edge.kind}`)}` : ''}
          </li>
        ))}
      </ul>
    </figure>
  );
}
