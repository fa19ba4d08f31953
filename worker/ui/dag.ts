/**
 * Layout of a task's step DAG for the dashboard (pure; no Workers imports).
 * Steps go into dependency layers (a step's layer is one more than its deepest
 * dependency), layers become columns, and every `dependsOn` becomes an edge.
 */

/** The parts of a plan step the drawing needs. */
export interface DagStep {
  id: string;
  dependsOn: readonly string[];
  status?: string;
  /** What to show under the id (a specialist, an intent label). */
  label?: string;
  requireApproval?: boolean;
}

/** A placed step. */
export interface DagNode extends DagStep {
  layer: number;
  x: number;
  y: number;
}

/** An edge from a dependency's right side to a dependent's left side. */
export interface DagEdge {
  from: string;
  to: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A laid-out DAG: nodes, edges, and the canvas size. */
export interface DagLayout {
  nodes: DagNode[];
  edges: DagEdge[];
  width: number;
  height: number;
  /** Box size of every node. */
  node: { w: number; h: number };
}

/**
 * Dependency layers of the steps, in declaration order within a layer. Unknown
 * dependencies are ignored and a cycle (which plans never contain; they are
 * validated) falls back to one more layer, so drawing never fails.
 */
export function layers(steps: readonly DagStep[]): DagStep[][] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (s: DagStep): number => {
    const known = depth.get(s.id);
    if (known !== undefined) return known;
    if (visiting.has(s.id)) return 0;
    visiting.add(s.id);
    let d = 0;
    for (const dep of s.dependsOn) {
      const t = byId.get(dep);
      if (t) d = Math.max(d, depthOf(t) + 1);
    }
    visiting.delete(s.id);
    depth.set(s.id, d);
    return d;
  };
  const out: DagStep[][] = [];
  for (const s of steps) (out[depthOf(s)] ??= []).push(s);
  return out.filter((l) => l !== undefined);
}

/** Places the steps: one column per layer, nodes centred vertically in their column. */
export function layoutDag(steps: readonly DagStep[], opts: { w?: number; h?: number; gapX?: number; gapY?: number; pad?: number } = {}): DagLayout {
  const { w = 212, h = 52, gapX = 56, gapY = 18, pad = 8 } = opts;
  const cols = layers(steps);
  const tallest = Math.max(1, ...cols.map((c) => c.length));
  const height = pad * 2 + tallest * h + (tallest - 1) * gapY;
  const nodes: DagNode[] = [];
  cols.forEach((col, layer) => {
    const colHeight = col.length * h + (col.length - 1) * gapY;
    const top = pad + (height - pad * 2 - colHeight) / 2;
    col.forEach((s, i) => nodes.push({ ...s, layer, x: pad + layer * (w + gapX), y: top + i * (h + gapY) }));
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: DagEdge[] = [];
  for (const n of nodes)
    for (const dep of n.dependsOn) {
      const f = at.get(dep);
      if (f) edges.push({ from: f.id, to: n.id, x1: f.x + w, y1: f.y + h / 2, x2: n.x, y2: n.y + h / 2 });
    }
  const width = pad * 2 + Math.max(1, cols.length) * w + Math.max(0, cols.length - 1) * gapX;
  return { nodes, edges, width, height, node: { w, h } };
}
