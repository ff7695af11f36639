// Re-running a recorded session without a model: the recorded calls, the matcher, the wire answers
// and the HTTP endpoint that serves them (docs/rerun.md).
export { type Divergence, RerunMatcher, type Unmatched } from './matcher.js';
export { type McpEndpoint, mcpEndpoint } from './mcp-endpoint.js';
export { McpMatcher, type McpUnmatched } from './mcp-matcher.js';
export { type RecordedMcp, recordedMcp } from './mcp-recorded.js';
export { TIMINGS, type Timing } from './pacing.js';
export { type RecordedCall, type RecordedCalls, recordedCalls } from './recorded-calls.js';
export { type McpReport, type RerunReport, renderReport } from './report.js';
export { type RerunServer, startRerunServer } from './server.js';
