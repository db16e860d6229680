export { AdaptiveRate } from './adaptive-rate.js';
export {
  outcomeOf,
  type QuotaGrant,
  type QuotaOptions,
  type QuotaOutcome,
  type QuotaPriority,
  QuotaScheduler,
  type QuotaStats,
  type ReserveOptions,
} from './quota-scheduler.js';
export { SlidingCounter } from './sliding-counter.js';
