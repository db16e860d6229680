export {
  type AppRuntime,
  type AppRuntimeOptions,
  appRuntime,
  appRuntimeArgs,
  runMain,
} from './app-runtime.js';
export {
  type LlamaRuntime,
  type LlamaRuntimeOptions,
  llamaRuntime,
  plainPrompt,
} from './llama-runtime.js';
export { offlineAssistant } from './offline-assistant.js';
export {
  type ScriptedError,
  type ScriptedReply,
  type ScriptedRuntime,
  type ScriptedRuntimeOptions,
  type ScriptedTurn,
  scriptedRuntime,
} from './scripted-runtime.js';
export { encodeEvent, encodeException, type StreamExceptionName } from './server/event-stream.js';
export {
  type Fault,
  FaultInjector,
  type HttpErrorFault,
  type LatencyFault,
  type ResetFault,
  type Route,
  type StreamCutFault,
  type StreamExceptionFault,
} from './server/faults.js';
export {
  type LocalServer,
  type LocalServerOptions,
  type RecordedRequest,
  startServer,
} from './server/local-server.js';
export { type QuotaCharge, QuotaWindow, type ServerQuotaOptions } from './server/quota-window.js';
export { type ValidationRules, validateConverseRequest } from './server/validate-request.js';
export { countRequestTokens, countTextTokens } from './text-tokens.js';
