/** What a model accepts through Converse. */
export interface ModelCapabilities {
  systemPrompt: boolean;
  tools: boolean;
  toolsWhileStreaming: boolean;
  images: boolean;
  documents: boolean;
  promptCaching: boolean;
}

export interface ModelInfo {
  /** The id as given (inference profile, ARN or base id). */
  modelId: string;
  /** The foundation-model id, without inference-profile prefix or ARN. */
  baseModelId: string;
  family: string;
  /** Input context window in tokens. */
  contextWindow: number;
  capabilities: ModelCapabilities;
  /** False when the id matched no entry and the conservative defaults apply. */
  known: boolean;
}

export interface ModelEntry {
  /** Matched against the base model id. */
  match: RegExp;
  family: string;
  contextWindow: number;
  capabilities: Partial<ModelCapabilities>;
}

const full: ModelCapabilities = {
  systemPrompt: true,
  tools: true,
  toolsWhileStreaming: true,
  images: true,
  documents: true,
  promptCaching: false,
};
const textOnly: Partial<ModelCapabilities> = {
  tools: false,
  toolsWhileStreaming: false,
  images: false,
};

/**
 * Conservative defaults for ids no entry matches: the system prompt is folded into the first user
 * turn (every model accepts that), and tools, images and documents are refused before any call.
 * Register an entry for a new model to lift them.
 */
export const unknownModelDefaults: ModelCapabilities = {
  systemPrompt: false,
  tools: false,
  toolsWhileStreaming: false,
  images: false,
  documents: false,
  promptCaching: false,
};

/**
 * The families of CONVERSE.md, first match wins (so specific entries come before their family's
 * catch-all). Sources: the AWS "supported models and model features" table and CONVERSE-WIRE §4.
 */
export const defaultModelEntries: readonly ModelEntry[] = [
  {
    match: /^local\./,
    family: 'local',
    contextWindow: 128_000,
    capabilities: { promptCaching: true },
  },
  {
    match: /^anthropic\.claude-3-5-haiku/,
    family: 'anthropic-claude',
    contextWindow: 200_000,
    capabilities: { images: false, promptCaching: true },
  },
  {
    match: /^anthropic\.claude-3-(haiku|sonnet|opus)|^anthropic\.claude-3-5-sonnet-20240620/,
    family: 'anthropic-claude',
    contextWindow: 200_000,
    capabilities: {},
  },
  {
    match: /^anthropic\.claude-(v2|instant)/,
    family: 'anthropic-claude-2',
    contextWindow: 100_000,
    capabilities: { ...textOnly },
  },
  {
    match: /^anthropic\.claude-/,
    family: 'anthropic-claude',
    contextWindow: 200_000,
    capabilities: { promptCaching: true },
  },
  {
    match: /^amazon\.nova-micro/,
    family: 'amazon-nova',
    contextWindow: 128_000,
    capabilities: { images: false, documents: false, promptCaching: true },
  },
  {
    match: /^amazon\.nova-premier/,
    family: 'amazon-nova',
    contextWindow: 1_000_000,
    capabilities: { promptCaching: true },
  },
  {
    match: /^amazon\.nova-/,
    family: 'amazon-nova',
    contextWindow: 300_000,
    capabilities: { promptCaching: true },
  },
  {
    match: /^amazon\.titan-text-premier/,
    family: 'amazon-titan-text',
    contextWindow: 32_000,
    capabilities: { ...textOnly, systemPrompt: false, documents: false },
  },
  {
    match: /^amazon\.titan-text-lite/,
    family: 'amazon-titan-text',
    contextWindow: 4_000,
    capabilities: { ...textOnly, systemPrompt: false },
  },
  {
    match: /^amazon\.titan-text/,
    family: 'amazon-titan-text',
    contextWindow: 8_000,
    capabilities: { ...textOnly, systemPrompt: false },
  },
  {
    match: /^meta\.llama2/,
    family: 'meta-llama-2',
    contextWindow: 4_096,
    capabilities: { ...textOnly, documents: false },
  },
  {
    match: /^meta\.llama3-2-(11b|90b)/,
    family: 'meta-llama-3',
    contextWindow: 128_000,
    capabilities: { toolsWhileStreaming: false },
  },
  {
    match: /^meta\.llama3-2-(1b|3b)/,
    family: 'meta-llama-3',
    contextWindow: 128_000,
    capabilities: { ...textOnly },
  },
  {
    match: /^meta\.llama3-(1|3)-/,
    family: 'meta-llama-3',
    contextWindow: 128_000,
    capabilities: { toolsWhileStreaming: false, images: false },
  },
  {
    match: /^meta\.llama3-/,
    family: 'meta-llama-3',
    contextWindow: 8_000,
    capabilities: { ...textOnly },
  },
  {
    match: /^meta\.llama4-/,
    family: 'meta-llama-4',
    contextWindow: 128_000,
    capabilities: { toolsWhileStreaming: false },
  },
  {
    match: /^mistral\.(mistral-7b|mixtral)/,
    family: 'mistral',
    contextWindow: 32_000,
    capabilities: { ...textOnly, systemPrompt: false },
  },
  {
    match: /^mistral\.mistral-large/,
    family: 'mistral-large',
    contextWindow: 128_000,
    capabilities: { toolsWhileStreaming: false, images: false },
  },
  {
    match: /^cohere\.command-r/,
    family: 'cohere-command-r',
    contextWindow: 128_000,
    capabilities: { toolsWhileStreaming: false, images: false },
  },
];

const profilePrefix = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/** The foundation-model id inside an inference-profile id or an ARN. */
export function baseModelIdOf(modelId: string): string {
  const afterArn = modelId.startsWith('arn:') ? (modelId.split('/').pop() ?? modelId) : modelId;
  return afterArn.replace(profilePrefix, '');
}

/** Model id → family, context window and capabilities. Extend it with `register`. */
export class ModelRegistry {
  readonly #entries: ModelEntry[];
  /** What `resolve` answered, by model id (read-only; emptied by `register`). */
  readonly #resolved = new Map<string, ModelInfo>();

  constructor(entries: readonly ModelEntry[] = defaultModelEntries) {
    this.#entries = [...entries];
  }

  /** Adds an entry that takes precedence over the existing ones. */
  register(entry: ModelEntry): this {
    this.#entries.unshift(entry);
    this.#resolved.clear();
    return this;
  }

  resolve(modelId: string): ModelInfo {
    let info = this.#resolved.get(modelId);
    if (!info) {
      info = this.#lookUp(modelId);
      Object.freeze(info.capabilities);
      this.#resolved.set(modelId, Object.freeze(info));
    }
    return info;
  }

  #lookUp(modelId: string): ModelInfo {
    const baseModelId = baseModelIdOf(modelId);
    const entry = this.#entries.find((e) => e.match.test(baseModelId));
    if (!entry) {
      return {
        modelId,
        baseModelId,
        family: 'unknown',
        contextWindow: 8_000,
        capabilities: { ...unknownModelDefaults },
        known: false,
      };
    }
    return {
      modelId,
      baseModelId,
      family: entry.family,
      contextWindow: entry.contextWindow,
      capabilities: { ...full, ...entry.capabilities },
      known: true,
    };
  }
}
