import type { AnyStateMachine } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';

/** A Mermaid state diagram of a machine, from xstate/graph (eventless transitions included). */
export function toMermaid(machine: AnyStateMachine): string {
  const graph = toDirectedGraph(machine);
  const lines = ['stateDiagram-v2', `  [*] --> ${machine.root.initial?.target[0]?.key ?? '?'}`];
  const walk = (node: typeof graph) => {
    for (const edge of node.edges) {
      if (edge.source.key === machine.id) continue;
      const event = edge.label.text.replace(
        /^xstate\.(done|error)\.actor\..*$/,
        (_m, kind: string) => `${kind}: ${String(edge.source.invoke[0]?.src ?? '')}`,
      );
      const guard = guardName(edge.transition.guard);
      lines.push(
        `  ${edge.source.key} --> ${edge.target.key}: ${event}${guard ? ` [${guard}]` : ''}`,
      );
    }
    for (const state of Object.values(node.stateNode.states)) {
      for (const transition of state.always ?? []) {
        for (const target of transition.target ?? []) {
          const guard = guardName(transition.guard);
          lines.push(`  ${state.key} --> ${target.key}: always${guard ? ` [${guard}]` : ''}`);
        }
      }
    }
    for (const child of node.children) walk(child);
  };
  walk(graph);
  return `${lines.join('\n')}\n`;
}

function guardName(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard;
  // and([...]) / or([...]): a function named after its combinator, holding its guards.
  if (typeof guard === 'function' && 'guards' in guard && Array.isArray(guard.guards)) {
    if (guard.name === 'not') return `not ${guardName(guard.guards[0])}`;
    return guard.guards.map(guardName).join(` ${guard.name} `);
  }
  // A named function (an inline arrow would be named after its property, "guard").
  if (typeof guard === 'function' && guard.name !== '' && guard.name !== 'guard') return guard.name;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  return undefined;
}
