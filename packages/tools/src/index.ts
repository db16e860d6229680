export { defineTool, type ToolDefinition, toJsonSchema } from './define-tool.js';
export { checkInputSchema, type JsonSchema, jsonSchemaProblem } from './json-schema.js';
export {
  type FunctionDefinition,
  jsonTool,
  type ToolFunction,
  toolsFromFunctions,
} from './json-tool.js';
export {
  defaultToolTimeoutMs,
  type RunToolCallsOptions,
  runToolCalls,
  type ToolCall,
  toResultContent,
} from './run-tool-calls.js';
export type { AnyTool, ParsedInput, Tool, ToolContext } from './tool.js';
export { checkToolName, toolNamePattern } from './tool-name.js';
export { type ToolChoiceOption, Toolset } from './toolset.js';
