// pnpm bench [--write] [--turns N] [--streams N] [--only NAME]
// Runs every benchmark, prints its table, and with --write stores it in docs/benchmarks.md.
import { parseArgs } from 'node:util';
import { memoryLatency } from './memory-latency.js';
import { quotaCluster } from './quota-cluster.js';
import { writeSection } from './report.js';
import { streamLatency } from './stream-latency.js';
import { turnLatency } from './turn-latency.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    write: { type: 'boolean', default: false },
    turns: { type: 'string', default: '600' },
    streams: { type: 'string', default: '400' },
    only: { type: 'string' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    'quota-window': { type: 'string', default: '10000' },
  },
});

const benches: Array<[string, () => Promise<string>]> = [
  ['turn-latency', () => turnLatency({ turns: Number(values.turns) })],
  ['stream-latency', () => streamLatency({ streams: Number(values.streams) })],
  ['memory-latency', () => memoryLatency({ turns: 300 })],
  [
    'quota-cluster',
    () => quotaCluster({ windowMs: Number(values['quota-window']), redis: values.redis }),
  ],
];
for (const [name, run] of benches) {
  if (values.only !== undefined && values.only !== name) continue;
  const table = await run();
  console.log(`${table}\n`);
  if (values.write) await writeSection(name, table);
}
