export { calibrate } from './calibration.js';
export { exchangeEnd, exchangeStart, startsExchange } from './history-units.js';
export { HistoryView } from './history-view.js';
export {
  type HistoryInput,
  type HistorySelection,
  selectHistory,
  summaryHeading,
} from './select-history.js';
export {
  type SentMessages,
  shrinkForOverflow,
  toolResultCutThreshold,
} from './shrink.js';
export {
  compose,
  type SummarizingOptions,
  slidingWindow,
  summarizing,
  tokenBudget,
} from './strategies.js';
export type {
  HistorySummary,
  MemoryStrategy,
  StrategyContext,
  StrategyResult,
} from './strategy.js';
export {
  estimateBlockTokens,
  estimateImageTokens,
  estimateMessages,
  estimateMessageTokens,
  estimateOverheadTokens,
  estimateRequestTokens,
  estimateSystemTokens,
  estimateTextTokens,
  estimateToolTokens,
  maxImageTokens,
} from './token-estimate.js';
