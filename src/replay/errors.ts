// Why a replay check could not produce a verdict (as opposed to a verdict of `would-break`).
export { ReplayCheckError, type ReplayCheckFailure } from '../errors.js';
