// The command's exit codes.
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;
