/** The opsets an exported graph is valid in: Slice and Pad take tensors from 11, Softmax is per-axis from 13. */
export const OPSETS = { min: 13, max: 21, default: 17 } as const;
