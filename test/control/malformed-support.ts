// Re-exports for the malformed-payload test.
import { ErrorCode } from '../../signaling/common.js';
export { ControlEventSchemas } from '../../signaling/control.js';
export const ErrorCodeList: string[] = ErrorCode.options;
